"""Business-time durations, stored on the complaint when its first answer or resolution happens.

A percentile over a month of complaints must not replay a calendar per row at query time (a
million `BusinessCalendar.elapsed` calls take minutes), so each duration is computed once, on the
complaint's own SLA calendar: the latest clock of that kind (re-timed to P1's round-the-clock
calendar when the urgency rose), or the default business calendar when it has no clock. The
backfill sweep fills rows written before this existed or by a path that skipped the hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.db import Base
from complaint_service.models import Complaint, SlaClock
from complaint_service.models.complaint import DURATIONS_PENDING
from complaint_service.models.enums import ClockKind
from complaint_service.sla.calendar import DEFAULT_BUSINESS_HOURS_SPEC, BusinessCalendar

CalendarSpec = Mapping[str, Any]


def business_seconds(spec: CalendarSpec | None, start: datetime, end: datetime) -> int:
    calendar = BusinessCalendar.from_spec(spec or DEFAULT_BUSINESS_HOURS_SPEC)
    return int(calendar.elapsed(start, end).total_seconds())


async def _calendars(
    session: AsyncSession, complaint_ids: Collection[uuid.UUID], kind: ClockKind
) -> dict[uuid.UUID, CalendarSpec]:
    """The calendar of each complaint's latest clock of `kind` (highest sequence number)."""
    rows = await session.execute(
        select(SlaClock.complaint_id, SlaClock.calendar)
        .where(SlaClock.complaint_id.in_(list(complaint_ids)), SlaClock.kind == kind.value)
        .ext(distinct_on(SlaClock.complaint_id))
        .order_by(SlaClock.complaint_id, SlaClock.seq.desc())
    )
    return {row.complaint_id: row.calendar for row in rows}


async def on_first_response(session: AsyncSession, *, complaint: Complaint, at: datetime) -> None:
    calendars = await _calendars(session, [complaint.id], ClockKind.first_response)
    complaint.first_response_business_seconds = business_seconds(
        calendars.get(complaint.id), complaint.received_at, at
    )


async def on_resolved(session: AsyncSession, *, complaint: Complaint, at: datetime) -> None:
    calendars = await _calendars(session, [complaint.id], ClockKind.resolution)
    complaint.resolution_business_seconds = business_seconds(
        calendars.get(complaint.id), complaint.received_at, at
    )


_table = Base.metadata.tables[Complaint.__tablename__]
# A plain UPDATE, not an ORM flush: filling a derived figure is bookkeeping and must not bump the
# complaint's version (an agent holding its ETag would get a needless 412).
_FILL = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values(
        first_response_business_seconds=bindparam("b_first"),
        resolution_business_seconds=bindparam("b_resolution"),
    )
)


def _fill(stored: int | None, spec: CalendarSpec | None, start: datetime, end: datetime | None) -> int | None:
    """A stored value is kept; only an event that happened gets a duration."""
    if stored is not None or end is None:
        return stored
    return business_seconds(spec, start, end)


async def backfill(session: AsyncSession, *, limit: int) -> int:
    """Fill up to `limit` complaints missing a duration; returns how many (rows claimed SKIP LOCKED)."""
    rows = (
        await session.execute(
            select(
                Complaint.id,
                Complaint.received_at,
                Complaint.first_response_at,
                Complaint.resolved_at,
                Complaint.first_response_business_seconds,
                Complaint.resolution_business_seconds,
            )
            .where(text(DURATIONS_PENDING))
            .order_by(Complaint.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    first_calendars = await _calendars(session, ids, ClockKind.first_response)
    resolution_calendars = await _calendars(session, ids, ClockKind.resolution)
    params = [
        {
            "b_id": row.id,
            "b_first": _fill(
                row.first_response_business_seconds,
                first_calendars.get(row.id),
                row.received_at,
                row.first_response_at,
            ),
            "b_resolution": _fill(
                row.resolution_business_seconds,
                resolution_calendars.get(row.id),
                row.received_at,
                row.resolved_at,
            ),
        }
        for row in rows
    ]
    await session.execute(_FILL, params)
    return len(rows)
