"""Business time: working hours, China's statutory holidays and make-up days (调休), in one time zone."""

from __future__ import annotations

import enum
import functools
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import structlog

MINUTES_PER_DAY = 24 * 60
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMEZONE = "Asia/Shanghai"
SEARCH_HORIZON_YEARS = 3

Interval: TypeAlias = tuple[int, int]
DayHours: TypeAlias = tuple[Interval, ...]
Span: TypeAlias = tuple[datetime, datetime]

_DEFAULT_WORKDAY: DayHours = ((9 * 60, 18 * 60),)
_HORIZON = timedelta(days=SEARCH_HORIZON_YEARS * 366)
_INTERVAL_RE = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
_SPEC_KEYS = frozenset(
    {"timezone", "hours", "use_cn_holidays", "closed_dates", "open_dates", "around_the_clock"}
)

DEFAULT_BUSINESS_HOURS_SPEC: Mapping[str, Any] = {
    "timezone": DEFAULT_TIMEZONE,
    "hours": {day: ["09:00-18:00"] for day in WEEKDAY_NAMES[:5]},
    "use_cn_holidays": True,
    "closed_dates": [],
    "open_dates": [],
    "around_the_clock": False,
}
AROUND_THE_CLOCK_SPEC: Mapping[str, Any] = {
    "timezone": DEFAULT_TIMEZONE,
    "hours": {},
    "use_cn_holidays": False,
    "closed_dates": [],
    "open_dates": [],
    "around_the_clock": True,
}


def parse_interval(text: str) -> Interval:
    """Parse "HH:MM-HH:MM" into minutes since local midnight; "24:00" is accepted as an end."""
    match = _INTERVAL_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an interval like '09:00-18:00'")
    start_hour, start_minute, end_hour, end_minute = (int(group) for group in match.groups())
    if start_hour > 23 or start_minute > 59 or end_minute > 59 or end_hour > 24:
        raise ValueError(f"{text!r} is not a valid time of day")
    start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
    if end > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} ends after 24:00")
    if end <= start:
        raise ValueError(f"{text!r} must end after it starts")
    return start, end


def format_interval(interval: Interval) -> str:
    start, end = interval
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@dataclass(frozen=True)
class WorkingHours:
    """Open intervals per weekday (index 0 = Monday) as [start, end) minutes since local midnight.

    1440 as an end means midnight at the close of the day. Intervals are sorted and never overlap.
    """

    weekdays: tuple[DayHours, ...]

    def __post_init__(self) -> None:
        if len(self.weekdays) != len(WEEKDAY_NAMES):
            raise ValueError(f"working hours need {len(WEEKDAY_NAMES)} weekdays, got {len(self.weekdays)}")
        for name, intervals in zip(WEEKDAY_NAMES, self.weekdays, strict=True):
            previous_end = 0
            for start, end in intervals:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise ValueError(f"hours.{name}: ({start}, {end}) is not a valid interval")
                if start < previous_end:
                    raise ValueError(f"hours.{name}: intervals overlap or are out of order")
                previous_end = end

    @classmethod
    def from_spec(cls, spec: Mapping[str, object]) -> WorkingHours:
        """Build from {"mon": ["09:00-12:00", "13:00-18:00"], ...}; missing weekdays are closed."""
        unknown = sorted(set(spec) - set(WEEKDAY_NAMES))
        if unknown:
            raise ValueError(
                f"hours: unknown weekday(s) {', '.join(unknown)}; use {', '.join(WEEKDAY_NAMES)}"
            )
        days: list[DayHours] = []
        for name in WEEKDAY_NAMES:
            texts = spec.get(name, [])
            if isinstance(texts, str) or not isinstance(texts, Sequence):
                raise ValueError(f"hours.{name} must be a list of 'HH:MM-HH:MM' strings")
            intervals: list[Interval] = []
            for index, text in enumerate(texts):
                if not isinstance(text, str):
                    raise ValueError(f"hours.{name}[{index}] must be a string like '09:00-18:00'")
                try:
                    intervals.append(parse_interval(text))
                except ValueError as exc:
                    raise ValueError(f"hours.{name}[{index}]: {exc}") from None
            intervals.sort()
            for (_, end), following in itertools.pairwise(intervals):
                if following[0] < end:
                    raise ValueError(
                        f"hours.{name}: {format_interval(following)} overlaps an earlier interval"
                    )
            days.append(tuple(intervals))
        return cls(tuple(days))

    def to_spec(self) -> dict[str, list[str]]:
        """Inverse of `from_spec`; closed weekdays are left out."""
        return {
            name: [format_interval(interval) for interval in intervals]
            for name, intervals in zip(WEEKDAY_NAMES, self.weekdays, strict=True)
            if intervals
        }

    @property
    def workday(self) -> DayHours:
        """Hours of a normal working day, used for make-up days and extra open dates."""
        return self.weekdays[0] or _DEFAULT_WORKDAY

    @property
    def is_empty(self) -> bool:
        return not any(self.weekdays)


class _CnDay(enum.Enum):
    STATUTORY_HOLIDAY = "statutory_holiday"
    MAKEUP_WORKDAY = "makeup_workday"
    ORDINARY = "ordinary"


@functools.lru_cache(maxsize=4096)
def _cn_day(day: date) -> _CnDay:
    """Classify `day` by China's official holiday arrangement.

    chinese_calendar only knows the years the State Council has announced and raises
    NotImplementedError for the others. Those days count as ORDINARY, so the plain weekday
    schedule applies and SLA clocks keep running in a year the package does not cover yet.
    """
    try:
        on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return _CnDay.ORDINARY
    if on_holiday and holiday_name is not None:
        return _CnDay.STATUTORY_HOLIDAY
    if not on_holiday and day.weekday() >= 5:
        return _CnDay.MAKEUP_WORKDAY
    return _CnDay.ORDINARY


def holiday_years_unknown(today: date, *, within_days: int = 60) -> list[int]:
    """Years from `today` to `within_days` ahead whose official arrangement chinese_calendar does not
    know yet: their holidays and make-up days count as plain weekdays (see `_cn_day`) until the
    package is upgraded, or the dates are set on the calendars (`closed_dates`, `open_dates`)."""
    years = range(today.year, (today + timedelta(days=within_days)).year + 1)
    # National Day: a statutory holiday in every year the package knows.
    return [year for year in years if _cn_day(date(year, 10, 1)) is _CnDay.ORDINARY]


def warn_unknown_holiday_years(today: date) -> None:
    """At start-up: business-hour clocks would count the coming year's holidays as working days."""
    if unknown := holiday_years_unknown(today):
        structlog.get_logger(__name__).warning(
            "cn_holidays_unknown",
            years=unknown,
            detail="chinese-calendar does not know these years' holidays and make-up days yet; upgrade "
            "it, or set closed_dates and open_dates on the business calendars",
        )


def _to_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _check_duration(duration: timedelta) -> timedelta:
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    return duration


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock minute; a time skipped by DST maps like fold=0 does."""
    if minute == MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), 0
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    """When the business clock runs, evaluated on local wall-clock time in `timezone`.

    Precedence for a date: `closed_dates`, then `open_dates` (workday hours), then China's
    statutory holidays (closed) and make-up working days (workday hours) when `use_cn_holidays`,
    then the weekday schedule. All methods accept aware datetimes and return UTC.
    """

    timezone: str
    hours: WorkingHours
    use_cn_holidays: bool = True
    closed_dates: frozenset[date] = frozenset()
    open_dates: frozenset[date] = frozenset()
    around_the_clock: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        both = sorted(self.closed_dates & self.open_dates)
        if both:
            listed = ", ".join(day.isoformat() for day in both)
            raise ValueError(f"dates cannot be both closed and open: {listed}")
        if not self.around_the_clock and self.hours.is_empty:
            raise ValueError("hours has no open interval; give working hours or set around_the_clock")

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the JSON form (see DEFAULT_BUSINESS_HOURS_SPEC); raises ValueError naming the field.

        Calendars are immutable and few (one per policy, department, shift), while hot paths rebuild
        them per complaint and per agent: equal specs share one parsed instance.
        """
        return _calendar_from_json(json.dumps(spec, sort_keys=True, default=str))

    @classmethod
    def _parse(cls, spec: Mapping[str, Any]) -> BusinessCalendar:
        unknown = sorted(set(spec) - _SPEC_KEYS)
        if unknown:
            raise ValueError(f"unknown calendar field(s): {', '.join(unknown)}")
        around_the_clock = _spec_bool(spec, "around_the_clock", default=False)
        hours = spec.get("hours")
        if hours is None:
            if not around_the_clock:
                raise ValueError("hours is required unless around_the_clock is true")
            hours = {}
        if not isinstance(hours, Mapping):
            raise ValueError("hours must be an object mapping weekdays (mon..sun) to interval lists")
        timezone = spec.get("timezone", DEFAULT_TIMEZONE)
        if not isinstance(timezone, str):
            raise ValueError("timezone must be an IANA time zone name such as 'Asia/Shanghai'")
        return cls(
            timezone=timezone,
            hours=WorkingHours.from_spec(hours),
            use_cn_holidays=_spec_bool(spec, "use_cn_holidays", default=True),
            closed_dates=_spec_dates(spec, "closed_dates"),
            open_dates=_spec_dates(spec, "open_dates"),
            around_the_clock=around_the_clock,
        )

    def to_spec(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "hours": self.hours.to_spec(),
            "use_cn_holidays": self.use_cn_holidays,
            "closed_dates": sorted(day.isoformat() for day in self.closed_dates),
            "open_dates": sorted(day.isoformat() for day in self.open_dates),
            "around_the_clock": self.around_the_clock,
        }

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time has elapsed since `start`.

        Counting begins at the next opening when `start` is closed; a duration that ends exactly
        at a closing time returns that closing time, not the next opening.
        """
        origin = _to_utc(start, "start")
        remaining = _check_duration(duration)
        if self.around_the_clock:
            return origin + remaining
        for opens, closes in self._spans_after(origin, self._local_date(origin + _HORIZON)):
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        raise self._horizon_error(duration, "after", origin)

    def subtract(self, due: datetime, duration: timedelta) -> datetime:
        """The latest instant that lies `duration` of business time before `due`.

        For a positive duration this inverts `add`: subtract(add(s, d), d) == next_open(s).
        """
        end = _to_utc(due, "due")
        remaining = _check_duration(duration)
        if self.around_the_clock or not remaining:
            return end - remaining
        for opens, closes in self._spans_before(end, self._local_date(end - _HORIZON)):
            if remaining <= closes - opens:
                return closes - remaining
            remaining -= closes - opens
        raise self._horizon_error(duration, "before", end)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        begin, finish = _to_utc(start, "start"), _to_utc(end, "end")
        if finish <= begin:
            return timedelta(0)
        if self.around_the_clock:
            return finish - begin
        total = timedelta(0)
        for opens, closes in self._spans_after(begin, self._local_date(finish)):
            if opens >= finish:
                break
            total += min(closes, finish) - opens
        return total

    def is_open(self, at: datetime) -> bool:
        instant = _to_utc(at, "at")
        if self.around_the_clock:
            return True
        return any(opens <= instant < closes for opens, closes in self._spans_on(self._local_date(instant)))

    def next_open(self, at: datetime) -> datetime:
        return self.add(at, timedelta(0))

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._zone).date()

    def _hours_on(self, day: date) -> DayHours:
        if day in self.closed_dates:
            return ()
        if day in self.open_dates:
            return self.hours.workday
        if self.use_cn_holidays:
            kind = _cn_day(day)
            if kind is _CnDay.STATUTORY_HOLIDAY:
                return ()
            if kind is _CnDay.MAKEUP_WORKDAY:
                return self.hours.workday
        return self.hours.weekdays[day.weekday()]

    def _spans_on(self, day: date) -> list[Span]:
        zone = self._zone
        spans = [(_instant(day, start, zone), _instant(day, end, zone)) for start, end in self._hours_on(day)]
        return [(opens, closes) for opens, closes in spans if closes > opens]

    def _spans_after(self, origin: datetime, last_day: date) -> Iterator[Span]:
        """Open spans from `origin` on, clipped to start no earlier than it, through `last_day`."""
        day = self._local_date(origin)
        while day <= last_day:
            for opens, closes in self._spans_on(day):
                if closes > origin:
                    yield max(opens, origin), closes
            day += timedelta(days=1)

    def _spans_before(self, origin: datetime, first_day: date) -> Iterator[Span]:
        """Open spans before `origin`, latest first, clipped to end no later than it, back to `first_day`."""
        day = self._local_date(origin)
        while day >= first_day:
            for opens, closes in reversed(self._spans_on(day)):
                if opens < origin:
                    yield opens, min(closes, origin)
            day -= timedelta(days=1)

    def _horizon_error(self, duration: timedelta, direction: str, origin: datetime) -> ValueError:
        return ValueError(
            f"the calendar has less than {duration} of business time within "
            f"{SEARCH_HORIZON_YEARS} years {direction} {origin.isoformat()}"
        )


def _spec_bool(spec: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _spec_dates(spec: Mapping[str, Any], key: str) -> frozenset[date]:
    values = spec.get(key, [])
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValueError(f"{key} must be a list of dates like '2026-12-31'")
    days: set[date] = set()
    for index, value in enumerate(values):
        if isinstance(value, date) and not isinstance(value, datetime):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise ValueError(f"{key}[{index}]: {value!r} is not a date like '2026-12-31'") from None
    return frozenset(days)


@functools.lru_cache(maxsize=512)
def _calendar_from_json(text: str) -> BusinessCalendar:
    return BusinessCalendar._parse(json.loads(text))
