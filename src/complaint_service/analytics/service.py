"""Summary, breakdown and time series: the repository's aggregates shaped into the API's figures.

Fast at scale by indexes, not rollups. Each population is one range scan on its own timestamp's
index (received_at, first_response_due_at, first_response_at, resolved_at; surveys by
answered_at and sent_at), the open backlog is an index-only scan of a partial index, and
business-time durations are stored per complaint when they happen (analytics/durations.py), the
one figure too slow to compute at query time. With a million complaints a month's summary takes
a few hundred milliseconds (bench/analytics.py). Rollup tables or materialized views would lag
the workers, could not give exact percentiles, and would have to be re-counted whenever a
complaint is reopened, re-timed or merged, long after the period it counts in; the figures here
are always a direct count of the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics import figures, repository
from complaint_service.analytics.filters import FigureFilter
from complaint_service.analytics.period import Bucket, Period, bucket_starts
from complaint_service.analytics.repository import Dimension
from complaint_service.analytics.schemas import (
    Backlog,
    BacklogRow,
    Breakdown,
    BreakdownRow,
    PeriodOut,
    Ratio,
    Summary,
    Targets,
    TimePoint,
    Timeseries,
)
from complaint_service.models.enums import OPEN_STATUSES
from complaint_service.settings import KpiTargets


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(
        from_=period.start.astimezone(period.zone),
        to=period.end.astimezone(period.zone),
        timezone=str(period.zone),
    )


def _backlog_row(status: str, row: Mapping[Any, Any] | None) -> BacklogRow:
    if row is None:
        return BacklogRow(status=status, total=0, under_4h=0, from_4h_to_24h=0, from_1d_to_3d=0, over_3d=0)
    return BacklogRow.model_validate(dict(row))


async def summary(
    session: AsyncSession, *, period: Period, where: FigureFilter, now: datetime, targets: KpiTargets
) -> Summary:
    values = await repository.figure_values(session, period, where, now=now)
    rows = {row["status"]: row for row in await repository.backlog(session, where, now=now)}
    by_status = [_backlog_row(status.value, rows.get(status.value)) for status in OPEN_STATUSES]
    return Summary(
        period=period_out(period),
        generated_at=now,
        figures=figures.build(values[None]),
        backlog=Backlog(total=sum(row.total for row in by_status), by_status=by_status),
        targets=Targets.model_validate(targets.model_dump()),
    )


async def breakdown(
    session: AsyncSession, *, period: Period, where: FigureFilter, by: Dimension, now: datetime, limit: int
) -> Breakdown:
    values = await repository.figure_values(session, period, where, now=now, by=by)
    open_counts = await repository.open_counts(session, where, by=by)
    rows = sorted(
        (
            BreakdownRow(key=key, label=key, open=open_counts.get(key, 0), figures=figures.build(values[key]))
            for key in {*values, *open_counts}
        ),
        key=lambda row: (-row.figures.volume, -row.open, row.key or ""),
    )[:limit]
    if by is Dimension.agent:
        names = await repository.agent_names(session, [row.key for row in rows])
        rows = [row.model_copy(update={"label": names.get(row.key or "")}) for row in rows]
    return Breakdown(period=period_out(period), by=by.value, generated_at=now, items=rows)


async def timeseries(
    session: AsyncSession,
    *,
    period: Period,
    where: FigureFilter,
    bucket: Bucket,
    now: datetime,
    max_buckets: int,
) -> Timeseries:
    starts = bucket_starts(period, bucket, max_buckets=max_buckets)
    found: dict[tuple[str, datetime], Any] = {
        (row["kind"], row["start"]): row
        for row in await repository.buckets(session, period, where, bucket=bucket, now=now)
    }

    def get(kind: str, start: datetime, field: str) -> Any:
        row = found.get((kind, start))
        return row[field] if row is not None else None

    def count(kind: str, start: datetime, field: str = "n") -> int:
        return int(get(kind, start, field) or 0)

    points = [
        TimePoint(
            start=start.replace(tzinfo=period.zone),
            received=count("received", start),
            first_answered=count("answered", start),
            resolved=count("resolved", start),
            response_rate=Ratio.of(count("due", start, "met"), count("due", start)),
            sla_first_response=Ratio.of(count("answered", start, "met"), count("answered", start, "judged")),
            sla_resolution=Ratio.of(count("resolved", start, "met"), count("resolved", start, "judged")),
            first_response_median_business_seconds=get("answered", start, "median"),
            resolution_median_business_seconds=get("resolved", start, "median"),
        )
        for start in starts
    ]
    return Timeseries(period=period_out(period), bucket=bucket.value, generated_at=now, points=points)
