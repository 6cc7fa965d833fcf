"""Reporting periods and time buckets, read and cut in the configured time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from complaint_service.core.problems import FieldError, UnprocessableContent

DEFAULT_DAYS = 30


class Bucket(StrEnum):
    hour = "hour"
    day = "day"
    week = "week"


_STEP = {Bucket.hour: timedelta(hours=1), Bucket.day: timedelta(days=1), Bucket.week: timedelta(weeks=1)}


@dataclass(frozen=True)
class Period:
    """[start, end) as UTC instants; `zone` is where its days and weeks begin."""

    start: datetime
    end: datetime
    zone: ZoneInfo


def _invalid(field: str, message: str) -> UnprocessableContent:
    return UnprocessableContent(
        message, errors=[FieldError(loc=["query", field], msg=message, type="value_error")]
    )


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    """A time without an offset is wall-clock time in the configured zone."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=zone)).astimezone(UTC)


def resolve(
    start: datetime | None, end: datetime | None, *, zone: ZoneInfo, now: datetime, max_days: int
) -> Period:
    """Defaults: up to now, and the 30 days before the end."""
    end_at = _aware(end, zone) if end is not None else now
    start_at = _aware(start, zone) if start is not None else end_at - timedelta(days=DEFAULT_DAYS)
    if end_at <= start_at:
        raise _invalid("to", "`to` must be later than `from`.")
    if end_at - start_at > timedelta(days=max_days):
        raise _invalid("from", f"A period may cover at most {max_days} days.")
    return Period(start_at, end_at, zone)


def _truncate(local: datetime, bucket: Bucket) -> datetime:
    """As PostgreSQL's date_trunc on a local timestamp (weeks start on Monday)."""
    if bucket is Bucket.hour:
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday()) if bucket is Bucket.week else day


def bucket_starts(period: Period, bucket: Bucket, *, max_buckets: int) -> list[datetime]:
    """Local wall-clock starts (naive) of every bucket the period touches, first one truncated."""
    local_end = period.end.astimezone(period.zone).replace(tzinfo=None)
    cursor = _truncate(period.start.astimezone(period.zone).replace(tzinfo=None), bucket)
    starts: list[datetime] = []
    while cursor < local_end:
        if len(starts) == max_buckets:
            raise _invalid(
                "bucket", f"At most {max_buckets} buckets; choose a larger bucket or a shorter period."
            )
        starts.append(cursor)
        cursor += _STEP[bucket]
    return starts
