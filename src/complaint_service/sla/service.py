"""SLA clocks on complaints: start, meet, pause, resume and re-time when the urgency changes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics import durations
from complaint_service.complaints import timeline
from complaint_service.core import config_cache
from complaint_service.core.db import copy_rows
from complaint_service.core.ids import uuid7
from complaint_service.models import Complaint, Customer, SlaAction, SlaClock, SlaPolicy
from complaint_service.models.enums import COMPLAINT_CLOCKS, ClockKind, ClockState, CustomerTier
from complaint_service.sla import timers
from complaint_service.sla.calendar import AROUND_THE_CLOCK_SPEC, BusinessCalendar
from complaint_service.sla.policy import EffectivePolicy, effective_policy

INITIAL_CLOCKS = (ClockKind.first_response, ClockKind.resolution, ClockKind.periodic_update)
LIVE = (ClockState.running.value, ClockState.paused.value)


async def customer_tier(session: AsyncSession, complaint: Complaint) -> str:
    if complaint.customer_id is None:
        return CustomerTier.standard.value
    tier = await session.scalar(select(Customer.tier).where(Customer.id == complaint.customer_id))
    return tier or CustomerTier.standard.value


async def _enabled_policies(session: AsyncSession) -> list[SlaPolicy]:
    query = select(SlaPolicy).where(SlaPolicy.enabled).order_by(SlaPolicy.position)
    return config_cache.detached(session, list((await session.scalars(query)).all()))


async def policy_for(session: AsyncSession, *, complaint: Complaint, tier: str) -> EffectivePolicy:
    policies = await config_cache.cached(session, "sla_policies", _enabled_policies)
    return effective_policy(
        policies,
        urgency=complaint.urgency or "P3",
        category=complaint.category,
        channel=complaint.channel,
        tier=tier,
        flags=complaint.flags,
    )


def _calendar_spec(policy: EffectivePolicy) -> dict[str, object]:
    return dict(AROUND_THE_CLOCK_SPEC if policy.around_the_clock else policy.calendar)


def _sync_complaint(complaint: Complaint, kind: str, due_at: datetime | None) -> None:
    if kind == ClockKind.first_response:
        complaint.first_response_due_at = due_at
    elif kind == ClockKind.resolution:
        complaint.resolution_due_at = due_at


@dataclass(frozen=True)
class _Timing:
    """When a clock of `kind` started at one instant falls due, and each of its actions."""

    kind: str
    target: timedelta
    due: datetime
    actions: tuple[tuple[str, str, dict[str, Any], datetime], ...]  # kind, label, spec, due


def _timings(policy: EffectivePolicy, kinds: Sequence[ClockKind], now: datetime) -> list[_Timing]:
    """Business-time arithmetic for every clock and action: the same for every complaint a batch starts
    at one instant on one policy, so `start_initial_many` does it once per policy."""
    calendar = BusinessCalendar.from_spec(_calendar_spec(policy))
    specs = timers.action_specs(policy.warnings, policy.escalation)
    timings = []
    for kind in kinds:
        target = timedelta(minutes=policy.targets_minutes[kind.value])
        due = calendar.add(now, target)
        actions = tuple(
            (
                action_kind,
                label,
                spec,
                timers.action_due(calendar, clock_due=due, target=target, kind=action_kind, spec=spec),
            )
            for action_kind, label, spec in specs
        )
        timings.append(_Timing(kind.value, target, due, actions))
    return timings


@dataclass
class _NewClocks:
    """Rows of clocks and actions to start, inserted with one executemany per table."""

    clocks: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        session: AsyncSession,
        *,
        complaint: Complaint,
        policy: EffectivePolicy,
        timings: Sequence[_Timing],
        now: datetime,
        seqs: dict[str, int],
    ) -> dict[str, datetime]:
        """Rows for one complaint's clocks; returns each clock's due time by kind."""
        spec = _calendar_spec(policy)
        for timing in timings:
            clock_id = uuid7()
            self.clocks.append(
                {
                    "id": clock_id,
                    "complaint_id": complaint.id,
                    "kind": timing.kind,
                    "seq": seqs.get(timing.kind, 0),
                    "state": ClockState.running.value,
                    "target_seconds": int(timing.target.total_seconds()),
                    "calendar": spec,
                    "policy_ids": list(policy.policy_ids),
                    "started_at": now,
                    "due_at": timing.due,
                }
            )
            for action_kind, label, action_spec, action_due in timing.actions:
                self.actions.append(
                    {
                        "id": uuid7(),
                        "clock_id": clock_id,
                        "complaint_id": complaint.id,
                        "kind": action_kind,
                        "label": label,
                        "spec": action_spec,
                        "due_at": action_due,
                    }
                )
                timers.schedule(session, action_due)
            _sync_complaint(complaint, timing.kind, timing.due)
        return {timing.kind: timing.due for timing in timings}

    async def insert(self, session: AsyncSession) -> None:
        await copy_rows(session, SlaClock, self.clocks)
        await copy_rows(session, SlaAction, self.actions)


async def start_clocks(
    session: AsyncSession,
    *,
    complaint: Complaint,
    policy: EffectivePolicy,
    kinds: Sequence[ClockKind],
    now: datetime,
) -> dict[str, datetime]:
    """Start clocks with all their actions in two INSERTs, each after the complaint's earlier clocks
    of its kind. Returns each clock's due time by kind."""
    rows = await session.execute(
        select(SlaClock.kind, func.max(SlaClock.seq) + 1)
        .where(SlaClock.complaint_id == complaint.id, SlaClock.kind.in_([k.value for k in kinds]))
        .group_by(SlaClock.kind)
    )
    new = _NewClocks()
    dues = new.add(
        session,
        complaint=complaint,
        policy=policy,
        timings=_timings(policy, kinds, now),
        now=now,
        seqs={row[0]: row[1] for row in rows},
    )
    await new.insert(session)
    return dues


async def start_initial_many(
    session: AsyncSession, *, items: Sequence[tuple[Complaint, EffectivePolicy]], now: datetime, actor: str
) -> None:
    """The first clocks of newly triaged complaints (they have none yet), in two INSERTs for all."""
    new = _NewClocks()
    timings: dict[str, list[_Timing]] = {}
    for complaint, policy in items:
        key = repr(policy)
        if key not in timings:
            timings[key] = _timings(policy, INITIAL_CLOCKS, now)
        dues = new.add(session, complaint=complaint, policy=policy, timings=timings[key], now=now, seqs={})
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="sla.started",
            actor=actor,
            data={
                "policy_ids": list(policy.policy_ids),
                "around_the_clock": policy.around_the_clock,
                "clocks": {kind: due.isoformat() for kind, due in dues.items()},
            },
        )
    await new.insert(session)


async def _live_clocks(
    session: AsyncSession, complaint: Complaint, kinds: Collection[str] = COMPLAINT_CLOCKS
) -> Sequence[SlaClock]:
    """Flushes first: sessions do not autoflush, and a clock closed earlier in this transaction is dead.

    The complaint's own clocks by default: a collaboration request keeps its deadline while the
    complaint waits on its customer or changes urgency.
    """
    await session.flush()
    # Lock order is actions, then clocks, as in the firing job (which claims actions, then marks
    # their clock breached); locking clocks first here could deadlock with it.
    await session.execute(
        select(SlaAction.id)
        .join(SlaClock, SlaClock.id == SlaAction.clock_id)
        .where(
            SlaAction.complaint_id == complaint.id,
            SlaAction.fired_at.is_(None),
            SlaAction.cancelled_at.is_(None),
            SlaClock.kind.in_(list(kinds)),
        )
        .order_by(SlaAction.id)
        .with_for_update(of=SlaAction)
    )
    query = select(SlaClock).where(
        SlaClock.complaint_id == complaint.id, SlaClock.state.in_(LIVE), SlaClock.kind.in_(list(kinds))
    )
    return (await session.scalars(query.order_by(SlaClock.id).with_for_update())).all()


async def _pending_actions(session: AsyncSession, clock: SlaClock) -> Sequence[SlaAction]:
    return (
        await session.scalars(
            select(SlaAction)
            .where(
                SlaAction.clock_id == clock.id, SlaAction.fired_at.is_(None), SlaAction.cancelled_at.is_(None)
            )
            .with_for_update()
        )
    ).all()


async def close_clocks(
    session: AsyncSession, *, complaint: Complaint, kinds: Collection[str], state: ClockState, now: datetime
) -> list[SlaClock]:
    """Met (or cancelled) clocks stop: their pending warnings, breach and escalations never fire."""
    closed = list(await _live_clocks(session, complaint, kinds))
    for clock in closed:
        clock.state = state.value
        if state is ClockState.met:
            clock.met_at = now
        for action in await _pending_actions(session, clock):
            action.cancelled_at = now
    return closed


async def pause(session: AsyncSession, *, complaint: Complaint, now: datetime) -> None:
    """Waiting on the customer: keep the business time left; nothing is due meanwhile."""
    for clock in await _live_clocks(session, complaint):
        if clock.state != ClockState.running or clock.due_at is None:
            continue
        left = BusinessCalendar.from_spec(clock.calendar).elapsed(now, clock.due_at)
        clock.state, clock.paused_at, clock.remaining_seconds, clock.due_at = (
            ClockState.paused.value,
            now,
            int(left.total_seconds()),
            None,
        )
        for action in await _pending_actions(session, clock):
            action.due_at = None


async def resume(session: AsyncSession, *, complaint: Complaint, now: datetime) -> None:
    for clock in await _live_clocks(session, complaint):
        if clock.state != ClockState.paused:
            continue
        remaining = timedelta(seconds=clock.remaining_seconds or 0)
        clock.due_at = BusinessCalendar.from_spec(clock.calendar).add(now, remaining)
        clock.state, clock.paused_at, clock.remaining_seconds = ClockState.running.value, None, None
        timers.retime(session, clock, await _pending_actions(session, clock))
        _sync_complaint(complaint, clock.kind, clock.due_at)


def _left(calendar: BusinessCalendar, now: datetime, due: datetime) -> timedelta:
    """Business time from `now` until `due`; negative once overdue."""
    return calendar.elapsed(now, due) - calendar.elapsed(due, now)


async def recompute(
    session: AsyncSession, *, complaint: Complaint, policy: EffectivePolicy, now: datetime
) -> None:
    """New urgency or policy: each live clock's due time moves by the change of its target.

    Shifting the due time (rather than restarting from now) keeps pauses and time already used. A
    paused clock keeps the change in its time left. When the calendar changes too (P1 runs around
    the clock), time used counts on the old calendar and what is left runs on the new one.
    """
    spec = _calendar_spec(policy)
    calendar = BusinessCalendar.from_spec(spec)
    for clock in await _live_clocks(session, complaint):
        previous = BusinessCalendar.from_spec(clock.calendar)
        old, new = (
            timedelta(seconds=clock.target_seconds),
            timedelta(minutes=policy.targets_minutes[clock.kind]),
        )
        if new == old and calendar == previous:
            continue
        shift = new - old
        clock.target_seconds, clock.calendar = int(new.total_seconds()), spec
        clock.policy_ids = list(policy.policy_ids)
        if clock.state == ClockState.paused or clock.due_at is None:
            clock.remaining_seconds = max(0, (clock.remaining_seconds or 0) + int(shift.total_seconds()))
            continue
        if calendar != previous:
            left = _left(previous, now, clock.due_at) + shift
            clock.due_at = calendar.add(now, left) if left > timedelta(0) else calendar.subtract(now, -left)
        elif shift > timedelta(0):
            clock.due_at = calendar.add(clock.due_at, shift)
        else:
            clock.due_at = calendar.subtract(clock.due_at, -shift)
        timers.retime(session, clock, await _pending_actions(session, clock))
        _sync_complaint(complaint, clock.kind, clock.due_at)


async def on_public_reply(session: AsyncSession, *, complaint: Complaint, now: datetime) -> None:
    """A public reply meets first and next response, and restarts the periodic-update clock."""
    await close_clocks(
        session,
        complaint=complaint,
        kinds=(ClockKind.first_response, ClockKind.next_response),
        state=ClockState.met,
        now=now,
    )
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        await durations.on_first_response(session, complaint=complaint, at=now)
    if await close_clocks(
        session, complaint=complaint, kinds=(ClockKind.periodic_update,), state=ClockState.met, now=now
    ):
        policy = await policy_for(session, complaint=complaint, tier=await customer_tier(session, complaint))
        await start_clocks(
            session, complaint=complaint, policy=policy, kinds=(ClockKind.periodic_update,), now=now
        )


async def on_customer_message(session: AsyncSession, *, complaint: Complaint, now: datetime) -> None:
    """After the first answer, every customer message waits for a reply within next-response."""
    if complaint.first_response_at is None or await _live_clocks(
        session, complaint, (ClockKind.next_response,)
    ):
        return
    policy = await policy_for(session, complaint=complaint, tier=await customer_tier(session, complaint))
    await start_clocks(session, complaint=complaint, policy=policy, kinds=(ClockKind.next_response,), now=now)


async def on_resolved(session: AsyncSession, *, complaint: Complaint, now: datetime) -> None:
    await close_clocks(
        session, complaint=complaint, kinds=(ClockKind.resolution,), state=ClockState.met, now=now
    )
    await close_clocks(
        session, complaint=complaint, kinds=COMPLAINT_CLOCKS, state=ClockState.cancelled, now=now
    )
