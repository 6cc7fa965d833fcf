"""When each action of a clock is due, and scheduling its deferred job."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue, enqueue_after_commit, job_id, session_settings
from complaint_service.models import SlaAction, SlaClock
from complaint_service.models.enums import ActionKind
from complaint_service.sla.calendar import BusinessCalendar


def action_specs(
    warnings: Sequence[Mapping[str, Any]], escalation: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, label, spec) of every action a clock carries: warnings, the breach, escalation levels."""
    specs = [(ActionKind.warning.value, str(w["label"]), dict(w)) for w in warnings]
    specs.append((ActionKind.breach.value, "breach", {}))
    specs += [
        (ActionKind.escalation.value, str(e["label"]), {**e, "level": level})
        for level, e in enumerate(escalation, start=1)
    ]
    return specs


def action_due(
    calendar: BusinessCalendar, *, clock_due: datetime, target: timedelta, kind: str, spec: Mapping[str, Any]
) -> datetime:
    """Warnings count back in business time from the due time; escalations wait wall time after it."""
    if kind == ActionKind.warning:
        before = (
            target * (1 - float(spec["share"]))
            if "share" in spec
            else timedelta(minutes=spec["minutes_before"])
        )
        return calendar.subtract(clock_due, before)
    if kind == ActionKind.escalation:
        return clock_due + timedelta(minutes=float(spec.get("after_minutes", 0)))
    return clock_due


BUCKET_MS = 250


def bucket_of(due: datetime) -> int:
    """Actions due in the same quarter second share one job, woken at the end of their bucket."""
    return math.ceil(due.timestamp() * 1000 / BUCKET_MS)


def bucket_time(bucket: int) -> datetime:
    return datetime.fromtimestamp(bucket * BUCKET_MS / 1000, tz=UTC)


async def enqueue_bucket(redis: ArqRedis, bucket: int) -> None:
    await enqueue(
        redis, "sla.fire_due", bucket, job_key=job_id("sla.fire_due", bucket), defer_until=bucket_time(bucket)
    )


def escalation_job_key(action_id: uuid.UUID, due_at: datetime) -> str:
    """The due time is part of the id, so a re-timed escalation never collides with its stale job."""
    return job_id("sla.escalate", action_id, int(due_at.timestamp() * 1000))


def schedule(session: AsyncSession, due_at: datetime | None) -> None:
    """Enqueue the bucket of a timer due within the look-ahead; later ones are left to the
    reconciler, which schedules each bucket ahead of time (the look-ahead exceeds its period)."""
    if due_at is None:
        return
    lookahead = timedelta(seconds=session_settings(session).worker.timer_lookahead_seconds)
    if due_at <= utcnow() + lookahead:
        bucket = bucket_of(due_at)
        enqueue_after_commit(
            session,
            "sla.fire_due",
            bucket,
            job_key=job_id("sla.fire_due", bucket),
            defer_until=bucket_time(bucket),
        )


def retime(session: AsyncSession, clock: SlaClock, actions: Sequence[SlaAction]) -> None:
    """Give every pending action of a running clock its due time from the clock's current due time."""
    assert clock.due_at is not None
    calendar = BusinessCalendar.from_spec(clock.calendar)
    target = timedelta(seconds=clock.target_seconds)
    for action in actions:
        if action.fired_at is None and action.cancelled_at is None:
            action.due_at = action_due(
                calendar, clock_due=clock.due_at, target=target, kind=action.kind, spec=action.spec
            )
            schedule(session, action.due_at)
