"""Who may see and act on a complaint: people reach their departments' complaints only."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.core.problems import Forbidden, NotFound
from complaint_service.models import Complaint


def ensure_visible(principal: Principal, complaint: Complaint) -> None:
    if not principal.can_access(complaint.department):
        raise Forbidden(f"Complaint {complaint.reference} belongs to a department you do not work for.")


async def load_visible(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, *, for_update: bool = False
) -> Complaint:
    """Locked for update when the caller will change it: a concurrent editor waits, then sees 412."""
    complaint = await session.get(
        Complaint, complaint_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    ensure_visible(principal, complaint)
    return complaint
