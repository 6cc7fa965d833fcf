"""An incident's own timeline: append-only, written in the unit of work that caused each event."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.ids import uuid7
from complaint_service.logging import current_request_id
from complaint_service.models import IncidentEvent


def record(
    session: AsyncSession,
    *,
    incident_id: uuid.UUID,
    type: str,
    actor: str,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        IncidentEvent(
            id=uuid7(),
            incident_id=incident_id,
            type=type,
            actor=actor,
            data=data or {},
            request_id=current_request_id(),
        )
    )
