"""The complaint lifecycle: one state machine, and what each move does to clocks, capacity and the timeline.

    new → triaged → assigned → in_progress ⇄ pending_customer → resolved → closed
    triaged, assigned and pending_customer may also resolve directly; reopen: resolved or
    closed → in_progress (or → triaged when nobody is assigned).

Every status change in the service goes through `transition` (or the helpers built on it), so an
impossible move is refused the same way everywhere: 409 `invalid-transition`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics import durations
from complaint_service.collaboration import service as collaboration_service
from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue_after_commit
from complaint_service.core.problems import InvalidTransition
from complaint_service.models import Complaint
from complaint_service.models.enums import (
    COMPLAINT_CLOCKS,
    OPEN_STATUSES,
    ClockKind,
    ClockState,
    ComplaintStatus,
    ResolutionCode,
)
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import service as routing_service
from complaint_service.sla import service as sla_service
from complaint_service.surveys import offers as survey_offers

S = ComplaintStatus
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.new: frozenset({S.triaged}),
    S.triaged: frozenset({S.assigned, S.resolved}),
    S.assigned: frozenset({S.triaged, S.in_progress, S.pending_customer, S.resolved}),
    S.in_progress: frozenset({S.pending_customer, S.resolved}),
    S.pending_customer: frozenset({S.in_progress, S.resolved}),
    S.resolved: frozenset({S.closed, S.in_progress, S.triaged}),
    S.closed: frozenset({S.in_progress, S.triaged}),
}
OPEN = frozenset(OPEN_STATUSES)
STAYS_CLOSED = frozenset({ResolutionCode.abuse.value, ResolutionCode.merged.value})
"""Closures a customer's new message does not undo; a supervisor can still reopen them."""
DRAIN_JOB = "routing.drain"


def allowed(current: ComplaintStatus, target: ComplaintStatus) -> bool:
    return target in TRANSITIONS[current]


def _check(complaint: Complaint, target: ComplaintStatus, *, administrative: bool = False) -> ComplaintStatus:
    current = ComplaintStatus(complaint.status)
    if administrative and target is S.closed and current in OPEN:
        return current
    if not allowed(current, target):
        raise InvalidTransition(
            f"A complaint that is {current.value} cannot become {target.value}; "
            f"allowed next: {sorted(s.value for s in TRANSITIONS[current]) or 'none'}."
        )
    return current


async def _announce(
    session: AsyncSession,
    complaint: Complaint,
    *,
    previous: ComplaintStatus,
    actor: str,
    data: dict[str, Any] | None,
) -> None:
    payload = {"from": previous.value, "to": complaint.status, **(data or {})}
    await timeline.record(
        session, complaint_id=complaint.id, type="complaint.status_changed", actor=actor, data=payload
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type=f"complaint.{complaint.status}",
        data={"reference": complaint.reference, **payload},
    )


async def _free_assignee(session: AsyncSession, complaint: Complaint) -> None:
    """Leaving the open states frees a slot of the assignee; queued work of the department may take it."""
    if complaint.assignee_id is not None:
        await routing_service.release(session, agent_id=complaint.assignee_id)
        if complaint.department:
            enqueue_after_commit(session, DRAIN_JOB, complaint.department)


async def transition(
    session: AsyncSession,
    complaint: Complaint,
    to: ComplaintStatus,
    *,
    actor: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Moves between working states; resolving, closing and reopening have their own functions."""
    if to in (S.resolved, S.closed):
        raise InvalidTransition(f"Use the {to.value} action, which needs its details, to make it {to.value}.")
    previous = _check(complaint, to)
    now = now or utcnow()
    if to is S.pending_customer:
        await sla_service.pause(session, complaint=complaint, now=now)
    elif previous is S.pending_customer:
        await sla_service.resume(session, complaint=complaint, now=now)
    complaint.status = to.value
    await _announce(session, complaint, previous=previous, actor=actor, data=data)


async def resolve(
    session: AsyncSession,
    complaint: Complaint,
    *,
    code: str,
    summary: str,
    actor: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    previous = _check(complaint, S.resolved)
    now = now or utcnow()
    if previous is S.pending_customer:
        await sla_service.resume(session, complaint=complaint, now=now)
    await sla_service.on_resolved(session, complaint=complaint, now=now)
    complaint.status, complaint.resolved_at = S.resolved.value, now
    await durations.on_resolved(session, complaint=complaint, at=now)
    complaint.resolution_code, complaint.resolution_summary = code, summary
    await _free_assignee(session, complaint)
    await _announce(
        session,
        complaint,
        previous=previous,
        actor=actor,
        data={"resolution_code": code, "summary": summary, **(data or {})},
    )
    await survey_offers.offer(session, complaint=complaint, now=now)


async def close(
    session: AsyncSession,
    complaint: Complaint,
    *,
    actor: str,
    reason: str,
    administrative: bool = False,
    code: str | None = None,
    now: datetime | None = None,
) -> None:
    """Closing a resolved complaint archives it; `administrative` also closes open ones (abuse, merged)."""
    previous = _check(complaint, S.closed, administrative=administrative)
    now = now or utcnow()
    if previous in OPEN:
        await sla_service.close_clocks(
            session,
            complaint=complaint,
            kinds=COMPLAINT_CLOCKS,
            state=ClockState.cancelled,
            now=now,
        )
        await _free_assignee(session, complaint)
        if code is not None:
            complaint.resolution_code = code
    await collaboration_service.cancel_open(session, complaint=complaint, actor=actor, now=now)
    complaint.status, complaint.closed_at = S.closed.value, now
    await _announce(
        session,
        complaint,
        previous=previous,
        actor=actor,
        data={"reason": reason, "administrative": administrative},
    )


async def reopen(
    session: AsyncSession, complaint: Complaint, *, actor: str, reason: str, now: datetime | None = None
) -> None:
    """Back to work: to its assignee (who takes a slot again), else to the department queue.

    The resolution and periodic-update clocks start again from now, on the current policy.
    """
    target = S.in_progress if complaint.assignee_id is not None else S.triaged
    previous = _check(complaint, target)
    now = now or utcnow()
    complaint.status = target.value
    complaint.reopen_count += 1
    complaint.resolved_at = complaint.closed_at = complaint.resolution_business_seconds = None
    if complaint.assignee_id is not None:
        await routing_service.take(session, agent_id=complaint.assignee_id)
    elif complaint.department:
        enqueue_after_commit(session, DRAIN_JOB, complaint.department)
    policy = await sla_service.policy_for(
        session, complaint=complaint, tier=await sla_service.customer_tier(session, complaint)
    )
    await sla_service.start_clocks(
        session,
        complaint=complaint,
        policy=policy,
        kinds=(ClockKind.resolution, ClockKind.periodic_update),
        now=now,
    )
    await _announce(
        session,
        complaint,
        previous=previous,
        actor=actor,
        data={"reason": reason, "reopen_count": complaint.reopen_count},
    )


async def on_customer_message(session: AsyncSession, complaint: Complaint, *, actor: str) -> None:
    """The customer wrote again: waiting ends, a resolved or closed matter reopens, an answer is due.

    A complaint closed as abuse stays closed (its sender was reviewed and blocked), and so does one
    merged into another: the message is kept there, but the matter is handled on the ticket.
    """
    now = utcnow()
    complaint.last_customer_message_at = now
    status = ComplaintStatus(complaint.status)
    if status is S.closed and complaint.resolution_code in STAYS_CLOSED:
        return
    if status is S.pending_customer:
        await transition(
            session, complaint, S.in_progress, actor=actor, data={"reason": "customer replied"}, now=now
        )
    elif status in (S.resolved, S.closed):
        await reopen(session, complaint, actor=actor, reason="customer wrote after resolution", now=now)
    await sla_service.on_customer_message(session, complaint=complaint, now=now)
