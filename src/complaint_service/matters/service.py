"""The triage hooks of one ticket per matter: join an open ticket, or recognise a repeat complaint.

Both compare a new complaint only with the same customer's complaints (a handful, found through
the customer index), so the similarity is computed here in Python rather than in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings
from complaint_service.matters import links, merging, repeats
from complaint_service.matters.matching import Match, Matter, match
from complaint_service.models import Complaint, ComplaintMerge, Message
from complaint_service.models.enums import (
    OPEN_STATUSES,
    ComplaintFlag,
    ComplaintStatus,
    LinkKind,
    ResolutionCode,
)
from complaint_service.outbound import service as outbound_service
from complaint_service.sla.escalation import raised

ACTOR = "system:matters"
# A customer with more open or recent complaints than this is compared with the newest ones only.
MAX_CANDIDATES = 50
# Following a ticket that was itself merged meanwhile: a chain longer than this is not waited for.
MAX_HOPS = 3
CLOSED_STATUSES = (ComplaintStatus.resolved.value, ComplaintStatus.closed.value)
NOT_A_RESOLUTION = (ResolutionCode.merged.value, ResolutionCode.abuse.value)


def matter_of(complaint: Complaint) -> Matter:
    return Matter.of(order_id=complaint.order_id, subject=complaint.subject, body=complaint.body)


async def _candidates(
    session: AsyncSession, *where: ColumnElement[bool], order_by: ColumnElement[Any]
) -> list[tuple[uuid.UUID, Matter]]:
    """Columns, not entities: a complaint loaded here and locked later must not be a stale copy."""
    rows = await session.execute(
        select(Complaint.id, Complaint.order_id, Complaint.subject, Complaint.body)
        .where(*where)
        .order_by(order_by)
        .limit(MAX_CANDIDATES)
    )
    return [(r.id, Matter.of(order_id=r.order_id, subject=r.subject, body=r.body)) for r in rows]


def best(
    new: Matter, candidates: Sequence[tuple[uuid.UUID, Matter]], *, threshold: float
) -> tuple[uuid.UUID, Match] | None:
    """Same order first, then the highest text score; the newest wins a tie."""
    scored = [
        (candidate_id, found)
        for candidate_id, matter in candidates
        if (found := match(new, matter, threshold=threshold)) is not None
    ]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1].score, pair[0]))


async def _lock_open_ticket(session: AsyncSession, complaint_id: uuid.UUID) -> Complaint | None:
    """The ticket, locked; if it was merged meanwhile (its triage ran concurrently), the one it joined.

    Locked through its columns, then read: an ORM load `FOR UPDATE` of a row the session already
    holds at an older version (an earlier hook may have read it) raises instead of refreshing.
    """
    for _ in range(MAX_HOPS):
        row = (
            await session.execute(
                select(Complaint.status, Complaint.merged_into_id)
                .where(Complaint.id == complaint_id)
                .with_for_update()
            )
        ).one_or_none()
        if row is None or row.status not in OPEN_STATUSES:
            return None
        if row.merged_into_id is None:
            return await session.get(Complaint, complaint_id, populate_existing=True)
        complaint_id = row.merged_into_id
    return None


async def attach_to_open_matter(session: AsyncSession, *, complaint: Complaint, history: bool) -> bool:
    """True when the complaint joined the customer's open ticket about the same matter.

    Only earlier complaints (lower UUIDv7) are candidates, so two complaints triaged at once never
    merge into each other, and lock waits always point at older rows (no deadlock cycle). Without
    `history` (the customer has no other complaint) there is nothing to join.
    """
    if complaint.customer_id is None or not history:
        return False
    config = session_settings(session).matters
    candidates = await _candidates(
        session,
        # An unmerged complaint was separated by a person: it stays separate (no candidates).
        ~exists().where(ComplaintMerge.source_id == complaint.id),
        Complaint.customer_id == complaint.customer_id,
        Complaint.id < complaint.id,
        Complaint.status.in_(OPEN_STATUSES),
        Complaint.merged_into_id.is_(None),
        ~Complaint.flags.contains([ComplaintFlag.suspected_abuse.value]),
        Complaint.received_at >= complaint.received_at - timedelta(hours=config.window_hours),
        order_by=Complaint.id.desc(),
    )
    found = best(matter_of(complaint), candidates, threshold=config.similarity_threshold)
    if found is None:
        return False
    candidate_id, why = found
    ticket = await _lock_open_ticket(session, candidate_id)
    if ticket is None:
        return False
    now = utcnow()
    record = await merging.merge(
        session,
        source=complaint,
        target=ticket,
        reason=why.reason,
        score=why.score,
        automatic=True,
        actor=ACTOR,
        now=now,
    )
    await _received_on(session, ticket=ticket, message_ids=record.message_ids, merged_from=complaint)
    await lifecycle.on_customer_message(session, ticket, actor=ACTOR)
    return True


async def _received_on(
    session: AsyncSession, *, ticket: Complaint, message_ids: Sequence[uuid.UUID], merged_from: Complaint
) -> None:
    """The moved messages arrive on the ticket's timeline as any customer message does."""
    rows = await session.execute(select(Message.id, Message.channel).where(Message.id.in_(message_ids)))
    channels = {row.id: row.channel for row in rows}
    await timeline.record_many(
        session,
        events=[
            (
                ticket.id,
                "message.received",
                {"message_id": str(m), "channel": channels.get(m), "merged_from_id": str(merged_from.id)},
            )
            for m in message_ids
        ],
        actor=ACTOR,
    )


async def handle_repeat(session: AsyncSession, *, complaint: Complaint, history: bool) -> None:
    """A complaint like one the customer had resolved recently is a repeat: linked, flagged, raised
    one urgency level and routed back to the department that handled it.

    A repeat of a repeat goes one escalation level higher than its predecessor; routing hands
    escalated complaints to a team lead or supervisor of the department first. Without `history`
    (the customer has no other complaint) there is nothing to repeat.
    """
    if complaint.customer_id is None or not history:
        return
    config = session_settings(session).matters
    since = utcnow() - timedelta(days=config.repeat_window_days)
    candidates = await _candidates(
        session,
        Complaint.customer_id == complaint.customer_id,
        Complaint.id != complaint.id,
        Complaint.status.in_(CLOSED_STATUSES),
        Complaint.merged_into_id.is_(None),
        Complaint.resolved_at >= since,
        or_(Complaint.resolution_code.is_(None), Complaint.resolution_code.not_in(NOT_A_RESOLUTION)),
        order_by=Complaint.resolved_at.desc(),
    )
    found = best(matter_of(complaint), candidates, threshold=config.similarity_threshold)
    if found is None:
        return
    earlier_id, why = found
    earlier = await session.get(Complaint, earlier_id)
    assert earlier is not None  # listed a moment ago; complaints are never deleted
    before = complaint.urgency
    repeats.make_repeat(complaint, earlier)
    complaint.urgency = raised(complaint.urgency)
    if earlier.department is not None:
        complaint.department = earlier.department  # routing keeps a department chosen before it
    await links.link(session, complaint=complaint, related=earlier, kind=LinkKind.repeat_of, actor=ACTOR)
    data = {
        "repeat_of_id": str(earlier.id),
        "repeat_of_reference": earlier.reference,
        "reason": why.reason.value,
        "score": why.score,
        "urgency": {"from": before, "to": complaint.urgency},
        "department": complaint.department,
        "escalation_level": complaint.escalation_level,
        "earlier_was_repeat": earlier.repeat_of_id is not None,
    }
    await timeline.record(
        session, complaint_id=complaint.id, type="complaint.repeat_detected", actor=ACTOR, data=data
    )
    await timeline.record(
        session,
        complaint_id=earlier.id,
        type="complaint.repeated",
        actor=ACTOR,
        data={"complaint_id": str(complaint.id), "reference": complaint.reference, "score": why.score},
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="complaint.repeat",
        data={"reference": complaint.reference, **data},
    )
