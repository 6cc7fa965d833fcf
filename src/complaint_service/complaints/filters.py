"""The complaint filters of the list endpoint, as one dependency its export shares."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from complaint_service.auth.dependencies import Reader
from complaint_service.complaints.repository import ComplaintFilter
from complaint_service.core.schemas import NO_NUL
from complaint_service.models.enums import Category, Channel, ComplaintStatus, Department, Urgency


async def complaint_filter(
    principal: Reader,
    status: Annotated[list[ComplaintStatus] | None, Query()] = None,
    channel: Annotated[list[Channel] | None, Query()] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    urgency: Annotated[list[Urgency] | None, Query()] = None,
    department: Annotated[list[Department] | None, Query()] = None,
    assignee_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    received_from: Annotated[datetime | None, Query(description="Inclusive, ISO 8601 with offset.")] = None,
    received_to: Annotated[datetime | None, Query(description="Exclusive, ISO 8601 with offset.")] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=NO_NUL, description="Text in subject or body."),
    ] = None,
) -> ComplaintFilter:
    """Limited to the caller's departments: a filter never widens what they may see."""
    return ComplaintFilter(
        status=[s.value for s in status or ()],
        channel=[c.value for c in channel or ()],
        category=[c.value for c in category or ()],
        urgency=[u.value for u in urgency or ()],
        department=[d.value for d in department or ()],
        assignee_id=assignee_id,
        customer_id=customer_id,
        received_from=received_from,
        received_to=received_to,
        text=q,
        visible_departments=principal.visible_departments,
    )


ComplaintQuery = Annotated[ComplaintFilter, Depends(complaint_filter)]
