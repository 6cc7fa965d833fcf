"""When a collaboration request is due: an explicit time, or the department's target on its calendar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaint_service.settings import CollaborationConfig
from complaint_service.sla.calendar import AROUND_THE_CLOCK_SPEC, BusinessCalendar


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    target: timedelta  # the business time given; warnings fall at shares of it
    calendar: dict[str, Any]  # the spec the clock counts on


def deadline(
    config: CollaborationConfig,
    *,
    department: str,
    department_calendar: Mapping[str, Any],
    around_the_clock: bool,
    now: datetime,
    within_minutes: int | None = None,
    due_at: datetime | None = None,
) -> Deadline:
    """Counted on the department asked, since it is their working hours the answer takes.

    `around_the_clock` (the complaint's SLA runs around the clock, as P1 does) or a department
    configured so counts wall time. An explicit `due_at` is kept as given; its target is the business
    time until then, so the warnings still fall within the department's hours.
    """
    wall = around_the_clock or department in config.around_the_clock
    spec = dict(AROUND_THE_CLOCK_SPEC if wall else department_calendar)
    calendar = BusinessCalendar.from_spec(spec)
    if due_at is not None:
        return Deadline(due_at=due_at, target=calendar.elapsed(now, due_at), calendar=spec)
    target = timedelta(minutes=within_minutes or config.answer_minutes_for(department))
    return Deadline(due_at=calendar.add(now, target), target=target, calendar=spec)
