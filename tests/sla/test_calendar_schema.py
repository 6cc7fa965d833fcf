"""CalendarSpec: the API body for business calendars."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from complaint_service.sla.calendar_schema import CALENDAR_SPEC_EXAMPLE, CalendarSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")


def spec(**overrides: Any) -> dict[str, Any]:
    return {**CALENDAR_SPEC_EXAMPLE, **overrides}


class TestCalendarSpec:
    def test_example_builds_the_calendar_it_describes(self) -> None:
        cal = CalendarSpec.model_validate(CALENDAR_SPEC_EXAMPLE).to_calendar()
        assert cal.to_spec() == CALENDAR_SPEC_EXAMPLE
        assert not cal.is_open(datetime(2026, 11, 23, 12, 30, tzinfo=SHANGHAI))  # lunch break
        assert cal.is_open(datetime(2026, 12, 27, 10, 0, tzinfo=SHANGHAI))  # extra open Sunday
        assert not cal.is_open(datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI))  # closed Thursday

    def test_example_is_in_the_json_schema(self) -> None:
        assert CalendarSpec.model_json_schema()["examples"] == [CALENDAR_SPEC_EXAMPLE]

    def test_defaults_need_hours(self) -> None:
        with pytest.raises(ValidationError, match="no open interval"):
            CalendarSpec.model_validate({})
        assert CalendarSpec.model_validate({"around_the_clock": True}).to_calendar().around_the_clock

    @pytest.mark.parametrize(
        ("overrides", "loc", "message"),
        [
            ({"timezone": "Asia/Beijing"}, ("timezone",), "unknown time zone"),
            ({"hours": {"mon": ["9:00-18:00"]}}, ("hours", "mon", 0), "pattern"),
            ({"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, ("hours",), "overlaps"),
            ({"hours": {"mon": ["18:00-09:00"]}}, ("hours",), "end after it starts"),
            ({"hours": {"周一": ["09:00-18:00"]}}, ("hours", "周一", "[key]"), "mon"),
            ({"closed_dates": ["2026-02-30"]}, ("closed_dates", 0), "date"),
            ({"closed_dates": ["2026-12-27"]}, (), "both closed and open"),
            ({"timezone": "Asia/Shanghai\x00"}, ("timezone",), "NUL|unknown time zone"),
        ],
    )
    def test_rejects_invalid(self, overrides: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
        with pytest.raises(ValidationError, match=message) as caught:
            CalendarSpec.model_validate(spec(**overrides))
        assert caught.value.errors()[0]["loc"] == loc
