"""Who may see and act on a complaint: people reach their departments' complaints only."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.collaboration import repository as collaboration_repository
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


async def ensure_readable(session: AsyncSession, principal: Principal, complaint: Complaint) -> None:
    """Reading reaches one step further than acting: a department an open collaboration request asks
    for help needs to read the complaint to answer. The query runs only when the plain check fails."""
    if principal.can_access(complaint.department):
        return
    if principal.departments and await collaboration_repository.is_asked(
        session, complaint_id=complaint.id, departments=principal.departments
    ):
        return
    ensure_visible(principal, complaint)  # refuses, as it would refuse acting on it


async def load_readable(session: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    """For read-only routes (the complaint, its messages, timeline and collaboration requests)."""
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    await ensure_readable(session, principal, complaint)
    return complaint
