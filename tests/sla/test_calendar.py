"""Business calendar: working hours, CN holidays and make-up days, custom dates, time zones."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaint_service.sla.calendar import (
    AROUND_THE_CLOCK_SPEC,
    DEFAULT_BUSINESS_HOURS_SPEC,
    BusinessCalendar,
    WorkingHours,
    format_interval,
    holiday_years_unknown,
    parse_interval,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def calendar(**overrides: Any) -> BusinessCalendar:
    return BusinessCalendar.from_spec({**DEFAULT_BUSINESS_HOURS_SPEC, **overrides})


DEFAULT = calendar()
LUNCH_BREAK = calendar(hours={day: ["09:00-12:00", "13:00-18:00"] for day in WEEKDAYS})
HOURS = timedelta(hours=1)


class TestParseInterval:
    def test_parses_minutes_since_midnight(self) -> None:
        assert parse_interval("09:00-18:00") == (540, 1080)
        assert parse_interval("00:00-24:00") == (0, 1440)

    @pytest.mark.parametrize(
        "text", ["9:00-18:00", "09:00–18:00", "18:00-09:00", "09:00-09:00", "24:00-24:00", "09:60-10:00"]
    )
    def test_rejects_malformed(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"interval|valid time|end after"):
            parse_interval(text)

    def test_format_is_inverse(self) -> None:
        assert format_interval(parse_interval("13:05-24:00")) == "13:05-24:00"


class TestWorkingHours:
    def test_from_spec_sorts_intervals_and_closes_missing_days(self) -> None:
        hours = WorkingHours.from_spec({"mon": ["13:00-18:00", "09:00-12:00"], "sat": ["10:00-16:00"]})
        assert hours.weekdays[0] == ((540, 720), (780, 1080))
        assert hours.weekdays[5] == ((600, 960),)
        assert hours.weekdays[1] == ()
        assert hours.to_spec() == {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-16:00"]}

    def test_workday_is_monday_or_nine_to_six(self) -> None:
        assert WorkingHours.from_spec({"mon": ["08:30-17:30"]}).workday == ((510, 1050),)
        assert WorkingHours.from_spec({"tue": ["10:00-16:00"]}).workday == ((540, 1080),)

    def test_direct_construction_is_validated(self) -> None:
        with pytest.raises(ValueError, match="7 weekdays"):
            WorkingHours(((),))
        with pytest.raises(ValueError, match=r"hours\.tue: intervals overlap"):
            WorkingHours(((), ((600, 700), (650, 800)), (), (), (), (), ()))
        with pytest.raises(ValueError, match=r"hours\.sun: \(600, 1500\)"):
            WorkingHours(((), (), (), (), (), (), ((600, 1500),)))


class TestAdd:
    def test_p3_received_friday_evening(self) -> None:
        # 24 business hours at 9 h/day from Fri 17:30: 0.5 h Fri + 9 h Mon + 9 h Tue + 5.5 h Wed.
        due = DEFAULT.add(sh(2026, 11, 20, 17, 30), 24 * HOURS)
        assert due == sh(2026, 11, 25, 14, 30)
        assert due.tzinfo is UTC

    def test_start_outside_hours_counts_from_next_opening(self) -> None:
        # Saturday night: the clock starts Mon 09:00.
        assert DEFAULT.add(sh(2026, 11, 21, 22, 0), 2 * HOURS) == sh(2026, 11, 23, 11, 0)
        assert DEFAULT.add(sh(2026, 11, 23, 7, 15), timedelta(0)) == sh(2026, 11, 23, 9, 0)

    def test_ending_exactly_at_closing_returns_closing_time(self) -> None:
        assert DEFAULT.add(sh(2026, 11, 20, 17, 30), timedelta(minutes=30)) == sh(2026, 11, 20, 18, 0)

    def test_national_day_golden_week(self) -> None:
        # chinese_calendar 2026: Fri 09-25 is Mid-Autumn, 10-01..10-07 (Thu..Wed) is National Day,
        # Sun 09-20 and Sat 10-10 are make-up workdays. The Friday before National Day is itself a
        # holiday, so the last working day before it is Wed 09-30.
        # From Wed 09-30 17:30, 24 h: 0.5 h Wed; 10-01..10-07 closed; Thu 10-08 9 h (9.5);
        # Fri 10-09 9 h (18.5); make-up Sat 10-10 09:00 + 5.5 h -> 14:30.
        assert DEFAULT.add(sh(2026, 9, 30, 17, 30), 24 * HOURS) == sh(2026, 10, 10, 14, 30)

    def test_mid_autumn_friday_is_closed(self) -> None:
        # Thu 09-24 17:30, 9 h: 0.5 h Thu; Fri 09-25 Mid-Autumn and the weekend closed;
        # Mon 09-28 09:00 + 8.5 h -> 17:30.
        assert DEFAULT.add(sh(2026, 9, 24, 17, 30), 9 * HOURS) == sh(2026, 9, 28, 17, 30)

    def test_counts_through_makeup_sunday_into_holiday(self) -> None:
        # Fri 09-18 17:30, 48 h: 0.5 Fri; make-up Sun 09-20 (9.5); Mon 21 (18.5); Tue 22 (27.5);
        # Wed 23 (36.5); Thu 24 (45.5); Fri 25 Mid-Autumn and weekend closed; Mon 09-28 + 2.5 h.
        assert DEFAULT.add(sh(2026, 9, 18, 17, 30), 48 * HOURS) == sh(2026, 9, 28, 11, 30)

    def test_due_on_spring_festival_makeup_saturday(self) -> None:
        # Sat 2026-02-14 is a make-up workday before Spring Festival: Fri 02-13 17:00 + 3 h
        # = 1 h Fri + 2 h Sat -> Sat 11:00.
        assert DEFAULT.add(sh(2026, 2, 13, 17, 0), 3 * HOURS) == sh(2026, 2, 14, 11, 0)

    def test_lunch_break_is_skipped(self) -> None:
        assert LUNCH_BREAK.add(sh(2026, 11, 23, 11, 30), HOURS) == sh(2026, 11, 23, 13, 30)
        # 0.5 h before lunch + 5 h afternoon = 5.5 h Mon; Tue 09:00 + 2.5 h -> 11:30.
        assert LUNCH_BREAK.add(sh(2026, 11, 23, 11, 30), 8 * HOURS) == sh(2026, 11, 24, 11, 30)

    def test_thirty_days_of_business_time(self) -> None:
        # 720 h / 9 h = 80 workdays from Mon 2026-06-01 09:00: June 21 (Dragon Boat Fri 06-19 off),
        # July 23, August 21 (= 65), Sep 1-18 14 (= 79), make-up Sun 09-20 is the 80th.
        start = sh(2026, 6, 1, 9, 0)
        due = DEFAULT.add(start, 720 * HOURS)
        assert due == sh(2026, 9, 20, 18, 0)
        assert DEFAULT.elapsed(start, due) == 720 * HOURS

    def test_rejects_naive_start_and_negative_duration(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            DEFAULT.add(datetime(2026, 11, 20, 9, 0), HOURS)
        with pytest.raises(ValueError, match="negative"):
            DEFAULT.add(sh(2026, 11, 20, 9, 0), -HOURS)

    def test_gives_up_after_search_horizon(self) -> None:
        one_hour_a_week = calendar(hours={"mon": ["09:00-10:00"]})
        with pytest.raises(ValueError, match="within 3 years"):
            one_hour_a_week.add(sh(2026, 11, 23, 9, 0), timedelta(days=200))


class TestSubtract:
    def test_warning_thirty_minutes_before_due(self) -> None:
        assert DEFAULT.subtract(sh(2026, 11, 25, 14, 30), timedelta(minutes=30)) == sh(2026, 11, 25, 14, 0)

    def test_crosses_weekend_backwards(self) -> None:
        assert DEFAULT.subtract(sh(2026, 11, 23, 9, 10), timedelta(minutes=30)) == sh(2026, 11, 20, 17, 40)

    def test_crosses_national_day_backwards(self) -> None:
        # Thu 10-08 09:30 minus 1 h: 0.5 h on 10-08, then back over the holiday to Wed 09-30 17:30.
        assert DEFAULT.subtract(sh(2026, 10, 8, 9, 30), HOURS) == sh(2026, 9, 30, 17, 30)

    def test_zero_returns_due_itself(self) -> None:
        assert DEFAULT.subtract(sh(2026, 11, 21, 12, 0), timedelta(0)) == sh(2026, 11, 21, 12, 0)

    def test_gives_up_after_search_horizon(self) -> None:
        one_hour_a_week = calendar(hours={"mon": ["09:00-10:00"]})
        with pytest.raises(ValueError, match="before"):
            one_hour_a_week.subtract(sh(2026, 11, 23, 9, 0), timedelta(days=200))


class TestElapsed:
    def test_counts_only_open_time(self) -> None:
        assert DEFAULT.elapsed(sh(2026, 11, 20, 17, 30), sh(2026, 11, 23, 10, 0)) == 90 * timedelta(minutes=1)
        assert LUNCH_BREAK.elapsed(sh(2026, 11, 23, 10, 0), sh(2026, 11, 23, 14, 0)) == 3 * HOURS

    def test_holiday_week_is_zero(self) -> None:
        assert DEFAULT.elapsed(sh(2026, 10, 1, 0, 0), sh(2026, 10, 8, 0, 0)) == timedelta(0)

    def test_reversed_interval_is_zero(self) -> None:
        assert DEFAULT.elapsed(sh(2026, 11, 25, 12, 0), sh(2026, 11, 24, 12, 0)) == timedelta(0)

    @pytest.mark.parametrize(
        "cal",
        [
            DEFAULT,
            LUNCH_BREAK,
            calendar(timezone="Europe/Berlin", use_cn_holidays=False, hours={"sat": ["01:00-04:00"]}),
        ],
        ids=["default", "lunch-break", "berlin-night"],
    )
    def test_add_elapsed_subtract_are_consistent(self, cal: BusinessCalendar) -> None:
        rng = random.Random(20261122)
        year_start = datetime(2026, 1, 1, tzinfo=UTC)
        for _ in range(300):
            start = year_start + timedelta(seconds=rng.randrange(366 * 24 * 3600))
            duration = timedelta(seconds=rng.randrange(0, 5 * 9 * 3600))
            due = cal.add(start, duration)
            assert due >= start
            assert cal.elapsed(start, due) == duration
            expected_back = start if cal.is_open(start) else cal.next_open(start)
            assert cal.subtract(due, duration) == expected_back


class TestIsOpenAndNextOpen:
    def test_weekday_hours(self) -> None:
        assert DEFAULT.is_open(sh(2026, 11, 20, 9, 0))
        assert not DEFAULT.is_open(sh(2026, 11, 20, 18, 0))
        assert not DEFAULT.is_open(sh(2026, 11, 21, 10, 0))

    def test_statutory_holidays_and_makeup_days(self) -> None:
        assert not DEFAULT.is_open(sh(2026, 10, 1, 10, 0))
        assert not DEFAULT.is_open(sh(2026, 9, 25, 10, 0))
        assert DEFAULT.is_open(sh(2026, 10, 10, 10, 0))
        assert DEFAULT.is_open(sh(2026, 9, 20, 17, 59))

    def test_statutory_holiday_closes_a_scheduled_saturday(self) -> None:
        weekend_shop = calendar(hours={"mon": ["09:00-17:00"], "sat": ["10:00-12:00"]})
        assert weekend_shop.is_open(sh(2026, 10, 17, 11, 0))
        assert not weekend_shop.is_open(sh(2026, 10, 17, 9, 30))
        assert not weekend_shop.is_open(sh(2026, 10, 3, 11, 0))  # National Day Saturday
        # Make-up Saturday 10-10 runs on Monday's hours, not Saturday's.
        assert weekend_shop.is_open(sh(2026, 10, 10, 9, 30))
        assert weekend_shop.is_open(sh(2026, 10, 10, 16, 30))

    def test_cn_holidays_can_be_switched_off(self) -> None:
        plain = calendar(use_cn_holidays=False)
        assert plain.is_open(sh(2026, 10, 1, 10, 0))
        assert not plain.is_open(sh(2026, 10, 10, 10, 0))

    def test_next_open(self) -> None:
        assert DEFAULT.next_open(sh(2026, 11, 20, 10, 0)) == sh(2026, 11, 20, 10, 0)
        assert DEFAULT.next_open(sh(2026, 11, 20, 18, 0)) == sh(2026, 11, 23, 9, 0)
        assert DEFAULT.next_open(sh(2026, 9, 30, 20, 0)) == sh(2026, 10, 8, 9, 0)
        assert LUNCH_BREAK.next_open(sh(2026, 11, 23, 12, 30)) == sh(2026, 11, 23, 13, 0)


class TestCustomDates:
    def test_closed_date(self) -> None:
        cal = calendar(closed_dates=["2026-11-23"])
        # 0.5 h Fri; Mon closed; Tue 9 h (9.5); Wed 9 h (18.5); Thu 09:00 + 5.5 h.
        assert cal.add(sh(2026, 11, 20, 17, 30), 24 * HOURS) == sh(2026, 11, 26, 14, 30)

    def test_open_date(self) -> None:
        cal = calendar(open_dates=["2026-11-21"])
        # 0.5 h Fri; Sat opened 9 h (9.5); Mon 9 h (18.5); Tue 09:00 + 5.5 h.
        assert cal.add(sh(2026, 11, 20, 17, 30), 24 * HOURS) == sh(2026, 11, 24, 14, 30)

    def test_open_date_uses_monday_hours(self) -> None:
        cal = calendar(
            hours={day: ["09:00-12:00", "13:00-18:00"] for day in WEEKDAYS}, open_dates=["2026-11-22"]
        )
        assert cal.is_open(sh(2026, 11, 22, 11, 0))
        assert not cal.is_open(sh(2026, 11, 22, 12, 30))

    def test_open_date_without_monday_hours_is_nine_to_six(self) -> None:
        cal = calendar(hours={"tue": ["10:00-16:00"]}, open_dates=["2026-11-22"])
        assert cal.is_open(sh(2026, 11, 22, 9, 0))
        assert cal.is_open(sh(2026, 11, 22, 17, 59))
        assert not cal.is_open(sh(2026, 11, 22, 18, 0))

    def test_custom_dates_override_cn_calendar(self) -> None:
        cal = calendar(open_dates=["2026-10-01"], closed_dates=["2026-10-10"])
        assert cal.is_open(sh(2026, 10, 1, 10, 0))
        assert not cal.is_open(sh(2026, 10, 10, 10, 0))


class TestUnknownYears:
    def test_2099_falls_back_to_weekday_schedule(self) -> None:
        # chinese_calendar has no data for 2099; Thu 2099-01-01 is treated as a plain Thursday.
        assert DEFAULT.is_open(sh(2099, 1, 1, 10, 0))
        assert not DEFAULT.is_open(sh(2099, 1, 3, 10, 0))
        # Thu 17:30 + 9 h: 0.5 h Thu; Fri 09:00 + 8.5 h -> 17:30.
        assert DEFAULT.add(sh(2099, 1, 1, 17, 30), 9 * HOURS) == sh(2099, 1, 2, 17, 30)

    def test_years_before_the_data_also_fall_back(self) -> None:
        assert DEFAULT.is_open(sh(2003, 12, 31, 10, 0))


class TestAroundTheClock:
    CAL = BusinessCalendar.from_spec(AROUND_THE_CLOCK_SPEC)

    def test_plain_addition_through_holidays(self) -> None:
        assert self.CAL.add(sh(2026, 10, 1, 10, 0), 24 * HOURS) == sh(2026, 10, 2, 10, 0)
        assert self.CAL.subtract(sh(2026, 10, 2, 10, 0), 24 * HOURS) == sh(2026, 10, 1, 10, 0)
        assert self.CAL.elapsed(sh(2026, 10, 1, 10, 0), sh(2026, 10, 8, 10, 0)) == timedelta(days=7)
        assert self.CAL.is_open(sh(2026, 10, 3, 3, 0))

    def test_adds_absolute_time_across_dst(self) -> None:
        cal = BusinessCalendar.from_spec({**AROUND_THE_CLOCK_SPEC, "timezone": "Europe/Berlin"})
        # Sat 12:00 CET + 24 h = Sun 13:00 CEST: the clock skipped an hour overnight.
        due = cal.add(berlin(2026, 3, 28, 12, 0), 24 * HOURS)
        assert due == datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
        assert due.astimezone(BERLIN).hour == 13


class TestTimeZones:
    def test_shanghai_full_week_is_exactly_168_hours(self) -> None:
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        cal = calendar(use_cn_holidays=False, hours={day: ["00:00-24:00"] for day in days})
        assert cal.elapsed(sh(2026, 3, 23), sh(2026, 3, 30)) == 168 * HOURS
        assert cal.add(sh(2026, 3, 28, 12, 0), 24 * HOURS) == sh(2026, 3, 29, 12, 0)

    def test_berlin_opening_hours_follow_wall_clock_across_spring_forward(self) -> None:
        cal = calendar(timezone="Europe/Berlin", use_cn_holidays=False)
        # Fri 17:00 CET + 2 h: 1 h Fri; Mon 09:00 CEST (07:00Z) + 1 h = 08:00Z.
        due = cal.add(berlin(2026, 3, 27, 17, 0), 2 * HOURS)
        assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
        assert cal.next_open(berlin(2026, 3, 28, 12, 0)) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)

    def test_berlin_dst_days_are_23_and_25_hours_long(self) -> None:
        cal = calendar(timezone="Europe/Berlin", use_cn_holidays=False, hours={"sun": ["00:00-24:00"]})
        assert cal.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * HOURS
        assert cal.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * HOURS
        assert cal.elapsed(berlin(2026, 11, 1), berlin(2026, 11, 2)) == 24 * HOURS

    def test_skipped_hour_is_not_counted(self) -> None:
        cal = calendar(timezone="Europe/Berlin", use_cn_holidays=False, hours={"sun": ["01:00-04:00"]})
        assert cal.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 2 * HOURS

    def test_input_zone_does_not_matter(self) -> None:
        start_utc = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
        assert DEFAULT.add(start_utc, 24 * HOURS) == DEFAULT.add(start_utc.astimezone(BERLIN), 24 * HOURS)
        assert DEFAULT.add(start_utc, 24 * HOURS) == sh(2026, 11, 25, 14, 30)


class TestFromSpec:
    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"timezone": "Asia/Shangai"}, "unknown time zone 'Asia/Shangai'"),
            ({"timezone": 8}, "IANA time zone"),
            ({"hours": {"mon": ["9:00-18:00"]}}, r"hours\.mon\[0\]"),
            ({"hours": {"tue": ["18:00-09:00"]}}, r"hours\.tue\[0\]: .* must end after it starts"),
            ({"hours": {"wed": ["09:00-12:00", "11:30-13:00"]}}, r"hours\.wed: 11:30-13:00 overlaps"),
            ({"hours": {"monday": ["09:00-18:00"]}}, "unknown weekday.*monday"),
            ({"hours": {"mon": "09:00-18:00"}}, r"hours\.mon must be a list"),
            ({"hours": {"mon": [900]}}, r"hours\.mon\[0\] must be a string"),
            ({"hours": ["09:00-18:00"]}, "hours must be an object"),
            ({"hours": {}}, "no open interval"),
            ({"hours": None}, "hours is required"),
            ({"closed_dates": ["2026-13-01"]}, r"closed_dates\[0\]: '2026-13-01'"),
            ({"open_dates": "2026-12-26"}, "open_dates must be a list"),
            ({"use_cn_holidays": "yes"}, "use_cn_holidays must be true or false"),
            ({"around_the_clock": 1}, "around_the_clock must be true or false"),
            ({"tz": "Asia/Shanghai"}, "unknown calendar field.*tz"),
            (
                {"closed_dates": ["2026-12-26"], "open_dates": ["2026-12-26"]},
                "both closed and open: 2026-12-26",
            ),
        ],
    )
    def test_rejects_bad_specs(self, overrides: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            BusinessCalendar.from_spec({**DEFAULT_BUSINESS_HOURS_SPEC, **overrides})

    def test_defaults(self) -> None:
        cal = BusinessCalendar.from_spec({"hours": {"mon": ["09:00-18:00"]}})
        assert cal.timezone == "Asia/Shanghai"
        assert cal.use_cn_holidays is True
        assert cal.around_the_clock is False
        assert cal.closed_dates == frozenset()

    def test_around_the_clock_needs_no_hours(self) -> None:
        assert BusinessCalendar.from_spec({"around_the_clock": True}).around_the_clock

    def test_accepts_date_objects(self) -> None:
        cal = calendar(closed_dates=[date(2026, 12, 31)])
        assert cal.closed_dates == frozenset({date(2026, 12, 31)})


class TestToSpec:
    @pytest.mark.parametrize("spec", [DEFAULT_BUSINESS_HOURS_SPEC, AROUND_THE_CLOCK_SPEC])
    def test_builtin_specs_round_trip_exactly(self, spec: dict[str, Any]) -> None:
        assert BusinessCalendar.from_spec(spec).to_spec() == spec

    def test_normalizes_and_round_trips(self) -> None:
        spec = {
            "timezone": "Asia/Shanghai",
            "hours": {"sat": ["10:00-16:00"], "mon": ["13:00-18:00", "09:00-12:00"]},
            "use_cn_holidays": True,
            "closed_dates": ["2026-12-31", "2026-12-24"],
            "open_dates": ["2026-12-27"],
            "around_the_clock": False,
        }
        cal = BusinessCalendar.from_spec(spec)
        assert cal.to_spec() == {
            **spec,
            "hours": {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-16:00"]},
            "closed_dates": ["2026-12-24", "2026-12-31"],
        }
        assert BusinessCalendar.from_spec(cal.to_spec()) == cal
        assert hash(BusinessCalendar.from_spec(cal.to_spec())) == hash(cal)


class TestHolidayData:
    def test_years_without_official_arrangements_are_reported_before_they_begin(self) -> None:
        # chinese-calendar knows the years the State Council has announced; a far year never is.
        assert holiday_years_unknown(date(2099, 12, 1)) == [2099, 2100]
        assert holiday_years_unknown(date(2099, 6, 1)) == [2099]
        assert holiday_years_unknown(date(2025, 6, 1)) == []
        assert holiday_years_unknown(date(2025, 12, 1), within_days=10) == []

    def test_an_unknown_year_counts_its_national_day_as_a_working_day(self) -> None:
        cal = BusinessCalendar.from_spec({"timezone": "Asia/Shanghai", "hours": {"thu": ["09:00-18:00"]}})
        national_day = datetime(2099, 10, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Thursday
        assert national_day.weekday() == 3
        assert cal.is_open(national_day)
        closed = BusinessCalendar.from_spec(
            {"timezone": "Asia/Shanghai", "hours": {"thu": ["09:00-18:00"]}, "closed_dates": ["2099-10-01"]}
        )
        assert not closed.is_open(national_day)  # what an operator sets until the package knows the year
