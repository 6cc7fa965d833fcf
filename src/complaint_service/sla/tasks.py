"""SLA jobs: fire one due action exactly once, and the sweep that recovers lost timers."""

from __future__ import annotations

import uuid
from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue, session_settings, task
from complaint_service.models import Complaint, SlaAction, SlaClock
from complaint_service.models.enums import ActionKind
from complaint_service.outbound import service as outbound_service
from complaint_service.sla import escalation, timers

EVENT_TYPES = {
    ActionKind.warning.value: "sla.warning",
    ActionKind.breach.value: "sla.breached",
    ActionKind.escalation.value: "complaint.escalated",
}
# arq may start a deferred job a hair early; anything sooner than this is a stale job for a later time.
EARLY_TOLERANCE = timedelta(milliseconds=20)


@task("sla.fire")
async def fire(session: AsyncSession, action_id: str) -> str:
    """Locks the complaint, then re-checks the action: two workers with the same job fire it once."""
    complaint_id = await session.scalar(
        select(SlaAction.complaint_id).where(SlaAction.id == uuid.UUID(action_id))
    )
    if complaint_id is None:
        return "missing"
    complaint = await session.get(Complaint, complaint_id, with_for_update=True)
    action = await session.get(SlaAction, uuid.UUID(action_id), with_for_update=True, populate_existing=True)
    assert complaint is not None
    assert action is not None
    now = utcnow()
    if action.fired_at is not None or action.cancelled_at is not None:
        return "done"
    if action.due_at is None or action.due_at > now + EARLY_TOLERANCE:
        return "not due"
    clock = await session.get(SlaClock, action.clock_id, with_for_update=True)
    assert clock is not None
    action.fired_at = now
    data = {
        "clock": clock.kind,
        "clock_id": str(clock.id),
        "label": action.label,
        "due_at": action.due_at.isoformat(),
        "fired_at": now.isoformat(),
        "lateness_ms": round((now - action.due_at).total_seconds() * 1000, 1),
        "target_seconds": clock.target_seconds,
    }
    if action.kind == ActionKind.breach:
        clock.breached_at = now
    elif action.kind == ActionKind.escalation:
        data |= await escalation.apply(
            session, complaint=complaint, level=int(action.spec["level"]), spec=action.spec, now=now
        )
    event_type = EVENT_TYPES[action.kind]
    await timeline.record(
        session, complaint_id=complaint.id, type=event_type, actor=escalation.ACTOR, data=data
    )
    await outbound_service.publish(session, complaint_id=complaint.id, event_type=event_type, data=data)
    return event_type


@task("sla.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Re-enqueue actions due now or within the look-ahead; the partial index keeps this O(due)."""
    horizon = utcnow() + timedelta(seconds=session_settings(session).worker.timer_lookahead_seconds)
    actions = (
        await session.scalars(
            select(SlaAction)
            .where(
                SlaAction.fired_at.is_(None), SlaAction.cancelled_at.is_(None), SlaAction.due_at <= horizon
            )
            .order_by(SlaAction.due_at)
            .limit(5000)
        )
    ).all()
    redis = session.info["redis"]
    for action in actions:
        await enqueue(
            redis, "sla.fire", str(action.id), job_key=timers.fire_job_key(action), defer_until=action.due_at
        )
    return len(actions)


FUNCTIONS: list[Function] = [fire, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="sla.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
