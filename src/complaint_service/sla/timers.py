"""When each action of a clock is due, and scheduling its deferred job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.jobs import enqueue_after_commit, job_id
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
        return clock_due + timedelta(minutes=int(spec.get("after_minutes", 0)))
    return clock_due


def fire_job_key(action: SlaAction) -> str:
    """The due time is part of the id, so a re-timed action never collides with its stale job."""
    assert action.due_at is not None
    return job_id("sla.fire", action.id, int(action.due_at.timestamp() * 1000))


def schedule(session: AsyncSession, action: SlaAction) -> None:
    if action.due_at is not None:
        enqueue_after_commit(
            session, "sla.fire", str(action.id), job_key=fire_job_key(action), defer_until=action.due_at
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
            schedule(session, action)
