"""The figures as the API returns them; each field's description is the figure's definition."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pydantic import AwareDatetime, Field, field_validator

from complaint_service.core.clock import utcnow
from complaint_service.core.schemas import Schema

# Platforms' clocks drift a little; an event minutes ahead of ours is still accepted.
FUTURE_TOLERANCE = timedelta(minutes=5)


class Ratio(Schema):
    """A share with the counts it comes from, so a figure can be checked and summed across groups."""

    rate: float | None = Field(description="numerator ÷ denominator; null when the denominator is 0.")
    numerator: int
    denominator: int

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Ratio:
        return cls(
            rate=numerator / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
        )


class Durations(Schema):
    """Seconds; percentiles interpolate linearly between the two nearest values (percentile_cont)."""

    count: int = Field(description="Complaints the statistics are taken over.")
    average_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


class TimeFigures(Schema):
    business: Durations = Field(
        description="Business time on the complaint's own SLA calendar (working hours, holidays and "
        "make-up days; P1 runs around the clock), computed when the event happened. Waiting on the "
        "customer is not subtracted."
    )
    wall: Durations = Field(description="Plain elapsed time.")


class Satisfaction(Schema):
    answered: int = Field(description="Surveys answered in the period.")
    average_score: float | None = Field(description="Mean score (1–5) of the surveys answered in the period.")
    satisfied: Ratio = Field(
        description="满意度 (CSAT): surveys answered in the period with a score of 4 or 5 ÷ surveys answered "
        "in the period. Target ≥ 90%."
    )
    answer_rate: Ratio = Field(
        description="Surveys sent in the period and answered (so far) ÷ surveys sent in the period, "
        "leaving out surveys superseded by a later one for the same complaint."
    )


class Figures(Schema):
    volume: int = Field(
        description="Complaints received in the period. Everywhere in these figures a complaint merged "
        "into another ticket counts once, as that ticket."
    )
    response_rate: Ratio = Field(
        description="响应率: complaints first answered within their first-response target ÷ complaints whose "
        "first-response target (due time) fell in the period. A target still in the future counts once it "
        "is met; until then it is undecided and left out of both. Target ≥ 95%."
    )
    resolution_rate: Ratio = Field(
        description="解决率: complaints received in the period that are resolved now (resolved or closed "
        "after resolution) and were never reopened ÷ complaints received in the period. Target ≥ 80%."
    )
    sla_first_response: Ratio = Field(
        description="Complaints first answered in the period by their first-response due time ÷ "
        "complaints first answered in the period that had a first-response target."
    )
    sla_resolution: Ratio = Field(
        description="Complaints resolved in the period by their resolution due time ÷ complaints resolved "
        "in the period that had a resolution target (a reopened complaint is judged on its latest "
        "resolution and the target restarted at the reopening)."
    )
    first_response_time: TimeFigures = Field(
        description="From receipt to the first public answer, over complaints first answered in the period. "
        "Customers expect 2 h."
    )
    resolution_time: TimeFigures = Field(
        description="From receipt to the (latest) resolution, over complaints resolved in the period."
    )
    repeat_rate: Ratio = Field(
        description="重复率: complaints received in the period flagged `repeat` (the customer complained "
        "again about a matter handled recently) ÷ complaints received in the period. Target ≤ 12%."
    )
    reopen_rate: Ratio = Field(
        description="Complaints received in the period that were reopened at least once ÷ complaints "
        "received in the period that were resolved at least once (resolved now, or reopened)."
    )
    abuse_share: Ratio = Field(
        description="Complaints received in the period flagged `suspected_abuse` ÷ complaints received in "
        "the period."
    )
    escalations: Ratio = Field(
        description="Complaints received in the period escalated at least one level (escalation level > 0) "
        "÷ complaints received in the period."
    )
    conversion: Ratio = Field(
        description="转化率: customers with a complaint resolved in the period who were active again after "
        "that resolution (any event reported through `POST /v1/customers/{id}/events`, at any time "
        "since) ÷ customers with a complaint resolved in the period. Target ≥ 18%."
    )
    satisfaction: Satisfaction


class BacklogRow(Schema):
    status: str
    total: int
    under_4h: int = Field(description="Received less than 4 hours ago.")
    from_4h_to_24h: int = Field(description="Received 4 to 24 hours ago.")
    from_1d_to_3d: int = Field(description="Received 1 to 3 days ago.")
    over_3d: int = Field(description="Received more than 3 days ago.")


class Backlog(Schema):
    """Open complaints now (new to pending_customer), whatever the period, by status and by age."""

    total: int
    by_status: list[BacklogRow]


class PeriodOut(Schema):
    from_: datetime = Field(alias="from", description="Inclusive.")
    to: datetime = Field(description="Exclusive.")
    timezone: str


class Targets(Schema):
    response_rate: float
    resolution_rate: float
    satisfaction: float
    conversion: float
    repeat_rate: float = Field(description="A ceiling, not a floor.")
    first_response_seconds: int = Field(description="A ceiling on the wall-clock first-response time.")


class Summary(Schema):
    period: PeriodOut
    generated_at: datetime
    figures: Figures
    backlog: Backlog
    targets: Targets = Field(description="The manuals' targets, from configuration.")


class BreakdownRow(Schema):
    key: str | None = Field(description="The group's value; null for complaints without one.")
    label: str | None = Field(description="A readable name (the agent's name for `by=agent`).")
    open: int = Field(description="Open complaints of the group now.")
    figures: Figures


class Breakdown(Schema):
    period: PeriodOut
    by: str
    generated_at: datetime
    items: list[BreakdownRow] = Field(description="Busiest first (by volume, then open backlog).")


class TimePoint(Schema):
    start: datetime = Field(description="The bucket's start in the configured time zone.")
    received: int
    first_answered: int
    resolved: int
    response_rate: Ratio = Field(description="As in the summary, by the bucket the due time fell in.")
    sla_first_response: Ratio = Field(description="As in the summary, by the bucket of the first answer.")
    sla_resolution: Ratio = Field(description="As in the summary, by the bucket of the resolution.")
    first_response_median_business_seconds: float | None
    resolution_median_business_seconds: float | None


class Timeseries(Schema):
    period: PeriodOut
    bucket: str
    generated_at: datetime
    points: list[TimePoint]


class CustomerEventIn(Schema):
    type: str = Field(
        pattern=r"^[a-z][a-z0-9_.:-]{0,63}$",
        description="What the customer did, in the platform's words: e.g. `order_placed`, `login`, `active`.",
        examples=["order_placed"],
    )
    occurred_at: AwareDatetime = Field(
        description="When it happened, with its offset; not in the future.",
        examples=["2026-11-24T10:15:00+08:00"],
    )
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The platform's own id of the event: a retried report with the same id counts once.",
        examples=["evt-88213"],
    )

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime) -> datetime:
        if value > utcnow() + FUTURE_TOLERANCE:
            raise ValueError("occurred_at lies in the future")
        return value


class CustomerEventOut(Schema):
    id: uuid.UUID
    customer_id: uuid.UUID
    type: str
    occurred_at: datetime
    external_id: str | None
    reported_by: str
    created_at: datetime
