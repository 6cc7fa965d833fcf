"""Firing due SLA actions: warnings and breaches claimed in batches, escalations one at a time.

Exactly once comes from the claim itself: `UPDATE … SET fired_at … WHERE fired_at IS NULL` over
rows taken with `FOR UPDATE SKIP LOCKED`, so two workers never claim the same row and a rolled
back job leaves its rows to be claimed again. Escalations change the complaint, so they lock the
complaint first, in the same order as every other complaint mutation (complaint → clock → action).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.collaboration import alerts as collaboration_alerts
from complaint_service.complaints import timeline
from complaint_service.models import Complaint, SlaAction, SlaClock
from complaint_service.models.enums import ActionKind, ClockKind
from complaint_service.ops.metrics import SLA_ACTIONS_FIRED, count_after_commit
from complaint_service.outbound import service as outbound_service
from complaint_service.sla import escalation

EVENT_TYPES = {
    ActionKind.warning.value: "sla.warning",
    ActionKind.breach.value: "sla.breached",
    ActionKind.escalation.value: "complaint.escalated",
}
# A deferred job may wake a hair before its time; due within this counts as due.
EARLY_TOLERANCE = timedelta(milliseconds=20)
PENDING = (SlaAction.fired_at.is_(None), SlaAction.cancelled_at.is_(None))


def _event_data(action: Any, clock_kind: str, target_seconds: int, now: datetime) -> dict[str, Any]:
    return {
        "clock": clock_kind,
        "clock_id": str(action.clock_id),
        "label": action.label,
        "due_at": action.due_at.isoformat(),
        "fired_at": now.isoformat(),
        "lateness_ms": round((now - action.due_at).total_seconds() * 1000, 1),
        "target_seconds": target_seconds,
    }


async def fire_batch(session: AsyncSession, *, now: datetime, limit: int) -> int:
    """Claim and fire up to `limit` due warnings and breaches; returns how many fired."""
    claimable = (
        select(SlaAction.id)
        .where(
            *PENDING,
            SlaAction.kind.in_([ActionKind.warning.value, ActionKind.breach.value]),
            SlaAction.due_at <= now + EARLY_TOLERANCE,
        )
        .order_by(SlaAction.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        await session.execute(
            update(SlaAction)
            .where(SlaAction.id.in_(claimable))
            .values(fired_at=now)
            .returning(
                SlaAction.id,
                SlaAction.clock_id,
                SlaAction.complaint_id,
                SlaAction.kind,
                SlaAction.label,
                SlaAction.due_at,
            )
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not claimed:
        return 0
    clocks = {
        row.id: row
        for row in await session.execute(
            select(SlaClock.id, SlaClock.kind, SlaClock.target_seconds).where(
                SlaClock.id.in_({a.clock_id for a in claimed})
            )
        )
    }
    breached = [a.clock_id for a in claimed if a.kind == ActionKind.breach.value]
    if breached:
        await session.execute(
            update(SlaClock)
            .where(SlaClock.id.in_(breached))
            .values(breached_at=now)
            .execution_options(synchronize_session=False)
        )
    events = []
    collaboration = []  # a collaboration request's deadline: its own events, about the request
    for action in claimed:
        clock = clocks[action.clock_id]
        data = _event_data(action, clock.kind, clock.target_seconds, now)
        if clock.kind == ClockKind.collaboration.value:
            collaboration.append((action, data))
        else:
            events.append((action.complaint_id, EVENT_TYPES[action.kind], data))
    if collaboration:
        events += await collaboration_alerts.fired_events(session, fired=collaboration)
    await timeline.record_many(session, events=events, actor=escalation.ACTOR)
    for complaint_id, event_type, data in events:
        await outbound_service.publish(session, complaint_id=complaint_id, event_type=event_type, data=data)
    for kind, fired in Counter(a.kind for a in claimed).items():
        count_after_commit(session, SLA_ACTIONS_FIRED, kind, amount=fired)
    return len(claimed)


async def due_escalations(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[uuid.UUID, datetime]]:
    rows = await session.execute(
        select(SlaAction.id, SlaAction.due_at)
        .where(
            *PENDING, SlaAction.kind == ActionKind.escalation.value, SlaAction.due_at <= now + EARLY_TOLERANCE
        )
        .order_by(SlaAction.due_at)
        .limit(limit)
    )
    return [(r.id, r.due_at) for r in rows]


async def escalate(session: AsyncSession, *, action_id: uuid.UUID, now: datetime) -> str:
    """Lock the complaint, re-check the action, apply its level: fires once across workers."""
    complaint_id = await session.scalar(select(SlaAction.complaint_id).where(SlaAction.id == action_id))
    if complaint_id is None:
        return "missing"
    complaint = await session.get(Complaint, complaint_id, with_for_update=True)
    action = await session.get(SlaAction, action_id, with_for_update=True, populate_existing=True)
    assert complaint is not None
    assert action is not None
    if action.fired_at is not None or action.cancelled_at is not None:
        return "done"
    if action.due_at is None or action.due_at > now + EARLY_TOLERANCE:
        return "not due"
    clock = await session.get(SlaClock, action.clock_id)
    assert clock is not None
    action.fired_at = now
    data = _event_data(action, clock.kind, clock.target_seconds, now)
    data |= await escalation.apply(
        session, complaint=complaint, level=int(action.spec["level"]), spec=action.spec, now=now
    )
    event_type = EVENT_TYPES[ActionKind.escalation.value]
    await timeline.record(
        session, complaint_id=complaint.id, type=event_type, actor=escalation.ACTOR, data=data
    )
    await outbound_service.publish(session, complaint_id=complaint.id, event_type=event_type, data=data)
    count_after_commit(session, SLA_ACTIONS_FIRED, ActionKind.escalation.value)
    return event_type
