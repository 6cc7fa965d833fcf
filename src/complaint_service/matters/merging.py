"""Merging a complaint into the ticket of its matter, and undoing it, keeping every message."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.jobs import enqueue_after_commit, job_id
from complaint_service.models import Complaint, ComplaintMerge, Message
from complaint_service.models.enums import ComplaintStatus, MergeReason, ResolutionCode
from complaint_service.outbound import service as outbound_service


async def live_merge(session: AsyncSession, *, source: Complaint) -> ComplaintMerge | None:
    return await session.scalar(
        select(ComplaintMerge)
        .where(ComplaintMerge.source_id == source.id, ComplaintMerge.unmerged_at.is_(None))
        .with_for_update()
    )


async def _adopt_merged_into(
    session: AsyncSession, *, source: Complaint, target: Complaint
) -> set[uuid.UUID]:
    """Complaints merged into `source` follow it to `target`, so every merge record points where its
    messages are; returns their message ids (they stay theirs, not the source's)."""
    children = (
        await session.scalars(
            select(ComplaintMerge)
            .where(ComplaintMerge.target_id == source.id, ComplaintMerge.unmerged_at.is_(None))
            .with_for_update()
        )
    ).all()
    for child in children:
        child.target_id = target.id
    # Plain UPDATE: re-pointing is bookkeeping on closed complaints, not an edit (versions stay).
    await session.execute(
        update(Complaint).where(Complaint.merged_into_id == source.id).values(merged_into_id=target.id)
    )
    return {message_id for child in children for message_id in child.message_ids}


async def merge(
    session: AsyncSession,
    *,
    source: Complaint,
    target: Complaint,
    reason: MergeReason,
    score: float | None,
    automatic: bool,
    actor: str,
    now: datetime,
) -> ComplaintMerge:
    """Move every message of `source` onto `target` and close `source` administratively.

    Both rows must be locked by the caller. The source keeps `merged_into_id`, so whoever holds its
    id (an adapter's receipt) finds the live ticket.
    """
    prior_status = source.status
    inherited = await _adopt_merged_into(session, source=source, target=target)
    moved = (
        await session.scalars(
            update(Message)
            .where(Message.complaint_id == source.id)
            .values(complaint_id=target.id)
            .returning(Message.id)
        )
    ).all()
    record = ComplaintMerge(
        source_id=source.id,
        target_id=target.id,
        message_ids=sorted(m for m in moved if m not in inherited),
        automatic=automatic,
        reason=reason.value,
        score=score,
        prior_status=prior_status,
        actor=actor,
        merged_at=now,
    )
    session.add(record)
    source.merged_into_id = target.id
    if source.triaged_at is None:
        source.triaged_at = now  # nothing left to triage; keeps the reconciler away
    await lifecycle.close(
        session,
        source,
        actor=actor,
        reason=f"merged into {target.reference}",
        administrative=True,
        code=ResolutionCode.merged.value,
        now=now,
    )
    data = {
        "source_id": str(source.id),
        "source_reference": source.reference,
        "target_id": str(target.id),
        "target_reference": target.reference,
        "reason": reason.value,
        "score": score,
        "automatic": automatic,
        "message_ids": [str(m) for m in moved],
    }
    await timeline.record(session, complaint_id=source.id, type="complaint.merged", actor=actor, data=data)
    await timeline.record(session, complaint_id=target.id, type="complaint.merged_in", actor=actor, data=data)
    await outbound_service.publish(session, complaint_id=source.id, event_type="complaint.merged", data=data)
    return record


async def unmerge(
    session: AsyncSession,
    *,
    record: ComplaintMerge,
    source: Complaint,
    target: Complaint,
    actor: str,
    now: datetime,
) -> None:
    """Give `source` its messages back and make it a ticket of its own again (rows locked by the caller).

    One merged before triage goes through triage now (which will not merge it automatically again);
    one merged after triage reopens to its assignee or department queue.
    """
    moved = (
        await session.scalars(
            update(Message)
            .where(Message.id.in_(record.message_ids), Message.complaint_id == record.target_id)
            .values(complaint_id=source.id)
            .returning(Message.id)
        )
    ).all()
    record.unmerged_at, record.unmerged_by = now, actor
    source.merged_into_id, source.resolution_code = None, None
    if record.prior_status == ComplaintStatus.new:
        source.status, source.closed_at, source.triaged_at = ComplaintStatus.new.value, None, None
        enqueue_after_commit(
            session,
            "triage.classify",
            str(source.id),
            job_key=job_id("triage.classify", source.id, "unmerged", record.id),
        )
    else:
        await lifecycle.reopen(
            session, source, actor=actor, reason=f"unmerged from {target.reference}", now=now
        )
    data = {
        "source_id": str(source.id),
        "source_reference": source.reference,
        "target_id": str(target.id),
        "target_reference": target.reference,
        "message_ids": [str(m) for m in moved],
        "status": source.status,
    }
    await timeline.record(session, complaint_id=source.id, type="complaint.unmerged", actor=actor, data=data)
    await timeline.record(session, complaint_id=target.id, type="complaint.unmerged", actor=actor, data=data)
    await outbound_service.publish(
        session, complaint_id=source.id, event_type="complaint.unmerged", data=data
    )
