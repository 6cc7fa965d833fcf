"""A collaboration request's deadline as an SLA clock, so the SLA timers fire its warnings and breach.

The clock row and its actions are the same as a complaint's: the firing job claims them exactly once,
the deferred jobs give precision and the SLA reconciler recovers them after a lost Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.collaboration.deadlines import Deadline
from complaint_service.core.ids import uuid7
from complaint_service.models import SlaAction, SlaClock
from complaint_service.models.enums import ActionKind, ClockKind, ClockState
from complaint_service.sla import timers
from complaint_service.sla.calendar import BusinessCalendar

KIND = ClockKind.collaboration.value


async def start(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    deadline: Deadline,
    warnings: Sequence[Mapping[str, Any]],
    policy_ids: Sequence[str],
    now: datetime,
) -> uuid.UUID:
    """The caller holds the complaint's row lock, which makes taking the next sequence number safe.

    A warning that would fall before now (a short explicit deadline) is left out: it warns of nothing.
    """
    seq = await session.scalar(
        select(func.coalesce(func.max(SlaClock.seq) + 1, 0)).where(
            SlaClock.complaint_id == complaint_id, SlaClock.kind == KIND
        )
    )
    clock_id = uuid7()
    await session.execute(
        insert(SlaClock).values(
            id=clock_id,
            complaint_id=complaint_id,
            kind=KIND,
            seq=seq,
            state=ClockState.running.value,
            target_seconds=int(deadline.target.total_seconds()),
            calendar=deadline.calendar,
            policy_ids=list(policy_ids),
            started_at=now,
            due_at=deadline.due_at,
        )
    )
    calendar = BusinessCalendar.from_spec(deadline.calendar)
    actions: list[dict[str, Any]] = []
    for kind, label, spec in timers.action_specs(warnings, ()):
        due = timers.action_due(
            calendar, clock_due=deadline.due_at, target=deadline.target, kind=kind, spec=spec
        )
        if kind != ActionKind.breach and due <= now:
            continue
        actions.append(
            {
                "id": uuid7(),
                "clock_id": clock_id,
                "complaint_id": complaint_id,
                "kind": kind,
                "label": label,
                "spec": spec,
                "due_at": due,
            }
        )
        timers.schedule(session, due)
    await session.execute(insert(SlaAction).values(actions))
    return clock_id


async def stop(session: AsyncSession, *, clock_id: uuid.UUID, state: ClockState, now: datetime) -> None:
    """Pending actions first, then the clock: the order the firing job takes them in, so an answer and
    a breach falling due at that moment wait for each other instead of deadlocking. An action the job
    claimed first stays fired (the request was late); the rest never fire.
    """
    await session.execute(
        update(SlaAction)
        .where(SlaAction.clock_id == clock_id, SlaAction.fired_at.is_(None), SlaAction.cancelled_at.is_(None))
        .values(cancelled_at=now)
    )
    await session.execute(
        update(SlaClock)
        .where(SlaClock.id == clock_id, SlaClock.state == ClockState.running.value)
        .values(state=state.value, met_at=now if state is ClockState.met else None)
    )
