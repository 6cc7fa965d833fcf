"""Keeping floods and empty messages away from agents: screening, the review decisions, blocks.

A held complaint is recorded like any other; it is marked triaged (so the triage sweep leaves it
alone), flagged `suspected_abuse`, given no department and no acknowledgement, and queued for a
reviewer. Confirming closes it (and the sender's other held ones) as abuse and blocks the sender;
releasing clears the flag and runs triage again. Nothing is deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.abuse import repository
from complaint_service.abuse.content import meaningless
from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.ids import uuid7
from complaint_service.core.jobs import enqueue_after_commit, job_id, session_settings
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.core.similarity import opening, similarity
from complaint_service.models import AbuseReview, Complaint, SenderBlock
from complaint_service.models.abuse import AbuseReason, ReviewStatus
from complaint_service.models.enums import ComplaintFlag, ComplaintStatus, ResolutionCode
from complaint_service.settings import AbuseConfig

ACTOR = "system:abuse"
FLAG = ComplaintFlag.suspected_abuse.value


async def sender_of(session: AsyncSession, complaint: Complaint) -> str | None:
    """The resolved customer, else the channel's name for the author; None when neither is known."""
    if complaint.customer_id is not None:
        return f"customer:{complaint.customer_id}"
    author = await repository.first_author(session, complaint_id=complaint.id)
    return f"{complaint.channel}:{author}"[:300] if author else None


async def _limits_exceeded(
    session: AsyncSession, complaint: Complaint, *, config: AbuseConfig
) -> tuple[list[AbuseReason], dict[str, object]]:
    """Counts include this complaint: the (max_similar + 1)th near-identical one in the window is held.

    Only the sender's complaints created before this one count, in the window before it: whatever
    order workers triage a flood in, each copy sees the same predecessors, so exactly the threshold
    passes without any lock. (Complaints of a customer are known from intake; a sender known only by
    name is known once screened, so two such copies triaged at the same moment may miss each other.)
    """
    recent = await repository.predecessors(
        session,
        complaint=complaint,
        since=complaint.created_at - timedelta(seconds=config.window_seconds),
        limit=max(config.max_complaints, config.max_similar),
    )
    mine = opening(complaint.subject, complaint.body)
    similar = [r.id for r in recent if similarity(mine, opening(r.subject, r.body)) >= config.similarity]
    reasons = []
    if len(similar) + 1 > config.max_similar:
        reasons.append(AbuseReason.flood)
    if len(recent) + 1 > config.max_complaints:
        reasons.append(AbuseReason.rate_limit)
    details: dict[str, object] = {
        "window_seconds": config.window_seconds,
        "similar_in_window": len(similar) + 1,
        "complaints_in_window": len(recent) + 1,
        "similar_complaint_ids": [str(i) for i in similar[: config.max_similar]],
    }
    return reasons, details


def _decide(review: AbuseReview, status: ReviewStatus, *, actor: str, note: str | None) -> None:
    review.status, review.decided_at, review.decided_by, review.note = status.value, utcnow(), actor, note


async def _hold(
    session: AsyncSession,
    complaint: Complaint,
    *,
    reasons: list[AbuseReason],
    details: dict[str, object],
    block: SenderBlock | None = None,
) -> AbuseReview:
    now = utcnow()
    complaint.flags = sorted({*complaint.flags, FLAG})
    complaint.status, complaint.triaged_at = ComplaintStatus.triaged.value, now
    review = AbuseReview(
        id=uuid7(),
        created_at=now,
        status=ReviewStatus.pending.value,
        complaint_id=complaint.id,
        sender_key=complaint.sender_key,
        reasons=[r.value for r in reasons],
        details=details,
    )
    if block is not None:
        _decide(review, ReviewStatus.confirmed, actor=ACTOR, note="The sender is blocked.")
        review.block_id = block.id
    session.add(review)
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="abuse.held",
        actor=ACTOR,
        data={"review_id": str(review.id), "reasons": review.reasons, "details": details}
        | ({"block_id": str(block.id)} if block else {}),
    )
    if block is not None:
        await lifecycle.close(
            session,
            complaint,
            actor=ACTOR,
            reason="The sender is blocked for abuse.",
            administrative=True,
            code=ResolutionCode.abuse.value,
        )
    return review


async def live_blocks(session: AsyncSession, complaints: Sequence[Complaint]) -> dict[str, SenderBlock]:
    """Name each complaint's sender and read their live blocks: one query for a triage batch."""
    for complaint in complaints:
        if complaint.sender_key is None:
            complaint.sender_key = await sender_of(session, complaint)
    if not session_settings(session).abuse.enabled:
        return {}
    keys = {c.sender_key for c in complaints if c.sender_key is not None}
    return await repository.live_blocks(session, sender_keys=keys, now=utcnow())


async def screen(
    session: AsyncSession, *, complaint: Complaint, history: bool, blocks: Mapping[str, SenderBlock]
) -> bool:
    """True when the complaint is held (triage stops): blocked sender, meaningless text or a flood.

    Runs first in triage, with the complaint row locked and `blocks` from `live_blocks`. A complaint a
    reviewer released is never held again. Without `history` (the customer's only complaint) no limit
    can be exceeded.
    """
    config = session_settings(session).abuse
    if not config.enabled:
        return False
    # Holding marks a complaint triaged, so one still `new` was never held and has no review.
    if complaint.status != ComplaintStatus.new.value:
        review = await repository.review_of(session, complaint_id=complaint.id)
        if review is not None and review.status == ReviewStatus.released.value:
            return False
    sender_key = complaint.sender_key
    reasons: list[AbuseReason] = []
    details: dict[str, object] = {}
    if sender_key is not None:
        block = blocks.get(sender_key)
        if block is not None:
            await _hold(session, complaint, reasons=[AbuseReason.blocked_sender], details={}, block=block)
            return True
        if history:
            reasons, details = await _limits_exceeded(session, complaint, config=config)
    # A screenshot or voice note says what the text does not.
    if not complaint.attachments and meaningless(
        opening(complaint.subject, complaint.body), min_chars=config.min_chars
    ):
        reasons.insert(0, AbuseReason.meaningless)
    if not reasons:
        return False
    await _hold(session, complaint, reasons=reasons, details=details)
    return True


async def _load_pending(session: AsyncSession, complaint_id: uuid.UUID) -> AbuseReview:
    review = await repository.review_of(session, complaint_id=complaint_id, for_update=True)
    if review is None:
        raise NotFound(f"Complaint {complaint_id} was never held for abuse review.")
    if review.status != ReviewStatus.pending.value:
        raise Conflict(f"This review was already decided: {review.status}.")
    return review


async def _complaint(session: AsyncSession, complaint_id: uuid.UUID) -> Complaint:
    complaint = await session.get(Complaint, complaint_id, with_for_update=True, populate_existing=True)
    assert complaint is not None  # reviews reference complaints, which are never deleted
    return complaint


async def _block(
    session: AsyncSession, review: AbuseReview, *, actor: str, hours: float, note: str | None
) -> SenderBlock | None:
    """A new block on the review's sender, or the live one extended; None for an unknown sender."""
    if review.sender_key is None:
        return None
    now = utcnow()
    expires_at = now + timedelta(hours=hours)
    block = await repository.live_block(session, sender_key=review.sender_key, now=now)
    if block is not None:
        block.expires_at = max(block.expires_at, expires_at)
        return block
    complaint = await _complaint(session, review.complaint_id)
    block = SenderBlock(
        id=uuid7(),
        sender_key=review.sender_key,
        customer_id=complaint.customer_id,
        reason=note or "Abuse confirmed by a reviewer.",
        complaint_id=complaint.id,
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(block)
    await session.flush()  # reviews reference it; without a relationship the flush order is not derived
    return block


async def confirm(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    actor: str,
    note: str | None = None,
    block_hours: float | None = None,
) -> AbuseReview:
    """Block the sender and close this held complaint, and the sender's other held ones, as abuse.

    A complaint of the sender being screened at this very moment does not see the block yet; it is
    held or passes on its own merits, as before the decision.
    """
    review = await _load_pending(session, complaint_id)
    hours = block_hours if block_hours is not None else session_settings(session).abuse.block_hours
    block = await _block(session, review, actor=actor, hours=hours, note=note)
    reviews = (
        await repository.pending_of_sender(session, sender_key=review.sender_key)
        if review.sender_key is not None
        else [review]
    )
    for each in reviews:
        _decide(each, ReviewStatus.confirmed, actor=actor, note=note)
        each.block_id = block.id if block else None
        complaint = await _complaint(session, each.complaint_id)
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="abuse.confirmed",
            actor=actor,
            data={
                "review_id": str(each.id),
                "note": note,
                "block_id": str(block.id) if block else None,
                "blocked_until": block.expires_at.isoformat() if block else None,
                "decided_with": str(review.complaint_id),
            },
        )
        await lifecycle.close(
            session,
            complaint,
            actor=actor,
            reason="Confirmed as abuse.",
            administrative=True,
            code=ResolutionCode.abuse.value,
        )
    return review


async def release(
    session: AsyncSession, *, complaint_id: uuid.UUID, actor: str, note: str | None = None
) -> AbuseReview:
    """Not abuse after all: clear the flag and triage the complaint as if it had just arrived."""
    review = await _load_pending(session, complaint_id)
    complaint = await _complaint(session, complaint_id)
    _decide(review, ReviewStatus.released, actor=actor, note=note)
    complaint.flags = [flag for flag in complaint.flags if flag != FLAG]
    complaint.triaged_at = None  # the triage sweep now counts it as untriaged work, too
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="abuse.released",
        actor=actor,
        data={"review_id": str(review.id), "note": note},
    )
    # A key of its own: the job id of the first triage may still be held by arq's kept result.
    enqueue_after_commit(
        session,
        "triage.classify",
        str(complaint.id),
        job_key=job_id("triage.classify", complaint.id, "released"),
    )
    return review


async def lift(session: AsyncSession, *, block_id: uuid.UUID, actor: str) -> SenderBlock:
    """End a block early; the block row stays, with who lifted it and when."""
    block = await repository.block_for_update(session, block_id=block_id)
    if block is None:
        raise NotFound(f"No sender block {block_id}.")
    now = utcnow()
    if block.lifted_at is not None or block.expires_at <= now:
        raise Conflict("This block has already ended.")
    block.lifted_at, block.lifted_by = now, actor
    if block.complaint_id is not None:
        await timeline.record(
            session,
            complaint_id=block.complaint_id,
            type="abuse.block_lifted",
            actor=actor,
            data={"block_id": str(block.id), "sender_key": block.sender_key},
        )
    return block
