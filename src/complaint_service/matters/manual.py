"""Merges, unmerges and links made by people, with the checks that keep them sensible."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from complaint_service.auth.scopes import Principal, Role
from complaint_service.complaints import access
from complaint_service.core.clock import utcnow
from complaint_service.core.etags import check_if_match, flush_versioned
from complaint_service.core.problems import Conflict, Forbidden
from complaint_service.matters import merging
from complaint_service.models import Complaint, ComplaintMerge
from complaint_service.models.enums import OPEN_STATUSES, MergeReason

MergeView = tuple[ComplaintMerge, Complaint, Complaint]


async def _lock_both(
    session: AsyncSession, principal: Principal, first_id: uuid.UUID, second_id: uuid.UUID
) -> tuple[Complaint, Complaint]:
    """Both locked, lower id first (the order automatic merges wait in), so merges never deadlock."""
    locked = {
        cid: await access.load_visible(session, principal, cid, for_update=True)
        for cid in sorted((first_id, second_id))
    }
    return locked[first_id], locked[second_id]


def _check_mergeable(principal: Principal, source: Complaint, target: Complaint, *, force: bool) -> None:
    if source.merged_into_id is not None:
        raise Conflict(f"Complaint {source.reference} is already merged; unmerge it first.")
    if target.merged_into_id is not None:
        raise Conflict(
            f"Complaint {target.reference} is merged into {target.merged_into_id}; merge into that one."
        )
    for complaint in (source, target):
        if complaint.status not in OPEN_STATUSES:
            raise Conflict(f"Complaint {complaint.reference} is {complaint.status}; only open ones merge.")
    if source.customer_id is not None and source.customer_id == target.customer_id:
        return
    if not force:
        raise Conflict(
            "The complaints are not from one known customer; a supervisor may merge them with `force`."
        )
    if not principal.at_least(Role.supervisor):
        raise Forbidden("Only supervisors and above may merge complaints of different customers.")


async def merge(
    session: AsyncSession,
    *,
    principal: Principal,
    source_id: uuid.UUID,
    into_id: uuid.UUID,
    force: bool,
    if_match: str | None,
) -> MergeView:
    """`If-Match` is checked against the merged complaint, the one this request changes."""
    if source_id == into_id:
        raise Conflict("A complaint cannot be merged into itself.")
    source, target = await _lock_both(session, principal, source_id, into_id)
    check_if_match(if_match, version=source.version)
    _check_mergeable(principal, source, target, force=force)
    record = await merging.merge(
        session,
        source=source,
        target=target,
        reason=MergeReason.manual,
        score=None,
        automatic=False,
        actor=principal.actor,
        now=utcnow(),
    )
    await flush_versioned(session)
    return record, source, target


async def unmerge(
    session: AsyncSession, *, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> MergeView:
    source = await access.load_visible(session, principal, complaint_id, for_update=True)
    check_if_match(if_match, version=source.version)
    record = await merging.live_merge(session, source=source)
    if record is None or source.merged_into_id is None:
        raise Conflict(f"Complaint {source.reference} is not merged into another complaint.")
    target = await access.load_visible(session, principal, record.target_id, for_update=True)
    await merging.unmerge(
        session, record=record, source=source, target=target, actor=principal.actor, now=utcnow()
    )
    await flush_versioned(session)
    return record, source, target


async def list_merges(session: AsyncSession, *, complaint_id: uuid.UUID) -> Sequence[MergeView]:
    """Merges into and out of a complaint, oldest first, live and undone."""
    source, target = aliased(Complaint), aliased(Complaint)
    rows = await session.execute(
        select(ComplaintMerge, source, target)
        .join(source, source.id == ComplaintMerge.source_id)
        .join(target, target.id == ComplaintMerge.target_id)
        .where(or_(ComplaintMerge.source_id == complaint_id, ComplaintMerge.target_id == complaint_id))
        .order_by(ComplaintMerge.id)
    )
    return [(row[0], row[1], row[2]) for row in rows]
