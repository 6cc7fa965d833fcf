"""API body for a business calendar, validated by the same rules as BusinessCalendar.from_spec."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from complaint_service.core.schemas import Schema
from complaint_service.sla.calendar import DEFAULT_TIMEZONE, BusinessCalendar, WorkingHours

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
IntervalText = Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")]

CALENDAR_SPEC_EXAMPLE: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "hours": {
        "mon": ["09:00-12:00", "13:00-18:00"],
        "tue": ["09:00-12:00", "13:00-18:00"],
        "wed": ["09:00-12:00", "13:00-18:00"],
        "thu": ["09:00-12:00", "13:00-18:00"],
        "fri": ["09:00-12:00", "13:00-18:00"],
        "sat": ["10:00-16:00"],
    },
    "use_cn_holidays": True,
    "closed_dates": ["2026-12-31"],
    "open_dates": ["2026-12-27"],
    "around_the_clock": False,
}


class CalendarSpec(Schema):
    """When an SLA clock runs: weekly working hours plus holidays and one-off date exceptions."""

    model_config = ConfigDict(json_schema_extra={"examples": [CALENDAR_SPEC_EXAMPLE]})

    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        description="IANA time zone the working hours are given in.",
        examples=["Asia/Shanghai"],
    )
    hours: dict[Weekday, list[IntervalText]] = Field(
        default_factory=dict,
        description=(
            "Open intervals per weekday as 'HH:MM-HH:MM' local time ('24:00' ends at midnight); "
            "weekdays left out are closed. Required unless around_the_clock is true."
        ),
    )
    use_cn_holidays: bool = Field(
        default=True,
        description=(
            "Close on China's statutory holidays and open on make-up working days (调休) "
            "with Monday's hours. Years not yet announced follow the weekday schedule."
        ),
    )
    closed_dates: list[date] = Field(
        default_factory=list, description="Extra closed dates, e.g. a company day off."
    )
    open_dates: list[date] = Field(
        default_factory=list,
        description="Extra open dates, with Monday's hours (09:00-18:00 if Monday is closed).",
    )
    around_the_clock: bool = Field(
        default=False, description="Count every second (24×7); hours and holidays are then ignored."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: Mapping[str, list[str]]) -> Mapping[str, list[str]]:
        WorkingHours.from_spec(value)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> CalendarSpec:
        self.to_calendar()
        return self

    def to_calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_spec(self.model_dump(mode="json"))
