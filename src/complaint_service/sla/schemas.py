"""API bodies for SLA policies: conditions, per-urgency targets, calendar, warnings and escalation."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from complaint_service.core.schemas import Schema
from complaint_service.models.enums import AgentRole, Urgency
from complaint_service.routing.schemas import Conditions
from complaint_service.sla.calendar_schema import CALENDAR_SPEC_EXAMPLE, CalendarSpec

Minutes = Annotated[
    int, Field(gt=0, le=525_600, description="Minutes (business minutes unless around the clock).")
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_INPUT = ConfigDict(extra="forbid")


class UrgencyTargets(Schema):
    """Targets for one urgency; a field left out is taken from the next matching policy."""

    model_config = _INPUT

    first_response: Minutes | None = None
    next_response: Minutes | None = Field(default=None, description="After each customer message.")
    periodic_update: Minutes | None = Field(
        default=None, description="Between progress updates to the customer."
    )
    resolution: Minutes | None = None
    around_the_clock: bool | None = Field(
        default=None, description="Count wall-clock time (24×7), not business time."
    )


class SlaWarning(Schema):
    """A warning before the deadline: at a share of the target, or a number of minutes before it."""

    model_config = _INPUT

    label: Label
    share: float | None = Field(
        default=None, gt=0, lt=1, description="E.g. 0.75: when 75% of the target is used."
    )
    minutes_before: int | None = Field(default=None, gt=0, le=525_600)

    @model_validator(mode="after")
    def _one_trigger(self) -> SlaWarning:
        if (self.share is None) == (self.minutes_before is None):
            raise ValueError("give exactly one of share or minutes_before")
        return self


class EscalationStep(Schema):
    model_config = _INPUT

    label: Label
    after_minutes: int = Field(ge=0, le=525_600, description="Minutes after the breach.")
    action: Literal["notify", "reassign"]
    target: Literal[AgentRole.team_lead, AgentRole.supervisor, AgentRole.manager]
    raise_urgency: bool = False


def _unique_labels(items: list[Any]) -> list[Any]:
    labels = [item.label for item in items]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"labels must be unique; repeated: {', '.join(duplicates)}")
    return items


def _in_order(steps: list[EscalationStep]) -> list[EscalationStep]:
    for earlier, later in itertools.pairwise(steps):
        if later.after_minutes < earlier.after_minutes:
            raise ValueError(
                f"after_minutes must not decrease: {later.label!r} ({later.after_minutes}) "
                f"follows {earlier.label!r} ({earlier.after_minutes})"
            )
    return steps


Warnings = Annotated[list[SlaWarning], Field(max_length=10), AfterValidator(_unique_labels)]
Escalation = Annotated[
    list[EscalationStep], Field(max_length=10), AfterValidator(_unique_labels), AfterValidator(_in_order)
]
Targets = Annotated[dict[Urgency, UrgencyTargets], Field(description="Per urgency (P1…P4).")]

POLICY_INPUT_EXAMPLE: dict[str, Any] = {
    "name": "VIP 客户：首次响应 1 小时",
    "position": 50,
    "conditions": {"tiers": ["vip"]},
    "targets": {"P2": {"first_response": 60, "resolution": 1440}, "P3": {"first_response": 60}},
    "calendar": CALENDAR_SPEC_EXAMPLE,
    "warnings": [{"label": "80%", "share": 0.8}, {"label": "15 min", "minutes_before": 15}],
    "escalation": [
        {
            "label": "team_lead",
            "after_minutes": 0,
            "action": "notify",
            "target": "team_lead",
            "raise_urgency": False,
        },
        {
            "label": "supervisor",
            "after_minutes": 60,
            "action": "reassign",
            "target": "supervisor",
            "raise_urgency": True,
        },
    ],
    "enabled": True,
}
POLICY_EXAMPLE: dict[str, Any] = {
    "id": "0193a5c2-7f33-7000-8000-4d5e6f708192",
    **POLICY_INPUT_EXAMPLE,
    "created_at": "2026-11-22T08:00:00Z",
    "updated_at": "2026-11-22T08:00:00Z",
    "version": 1,
}


def _column(value: Any) -> Any:
    """A field's value in the JSON shape the SLA engine reads: conditions and items without unset keys."""
    if isinstance(value, Conditions):
        return value.stored()
    if isinstance(value, Schema):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dict):
        return {str(key): _column(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_column(item) for item in value]
    return value


class PolicyCreate(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [POLICY_INPUT_EXAMPLE]})

    name: Name
    position: int = Field(ge=0, le=1_000_000, description="Lower positions are matched first.")
    conditions: Conditions = Field(
        default_factory=Conditions,
        description="Empty conditions make a default that matches every complaint.",
    )
    targets: Targets = Field(default_factory=dict)
    calendar: CalendarSpec | None = Field(
        default=None, description="Null inherits from the next matching policy."
    )
    warnings: Warnings | None = None
    escalation: Escalation | None = None
    enabled: bool = True

    def columns(self) -> dict[str, Any]:
        return {name: _column(getattr(self, name)) for name in type(self).model_fields}


class PolicyUpdate(Schema):
    """Only the fields sent change; `calendar`, `warnings` and `escalation` may be set to null (inherit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"targets": {"P3": {"first_response": 20}}}, {"enabled": False}]},
    )

    name: Name | None = None
    position: int | None = Field(default=None, ge=0, le=1_000_000)
    conditions: Conditions | None = None
    targets: Targets | None = None
    calendar: CalendarSpec | None = None
    warnings: Warnings | None = None
    escalation: Escalation | None = None
    enabled: bool | None = None

    @field_validator("name", "position", "conditions", "targets", "enabled")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    def changes(self) -> dict[str, Any]:
        """Column values of the fields that were sent."""
        return {name: _column(getattr(self, name)) for name in self.model_fields_set}


class PolicyOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [POLICY_EXAMPLE]})

    id: uuid.UUID
    name: str
    position: int
    conditions: dict[str, Any]
    targets: dict[str, Any]
    calendar: dict[str, Any] | None
    warnings: list[dict[str, Any]] | None
    escalation: list[dict[str, Any]] | None
    enabled: bool
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Also sent as the `ETag`; send it back in `If-Match` to change safely.")
