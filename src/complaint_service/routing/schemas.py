"""API bodies for departments, agents and the ordered routing rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from complaint_service.core.schemas import Schema
from complaint_service.models.enums import (
    AgentRole,
    AgentStatus,
    AssignmentStrategy,
    Category,
    Channel,
    CustomerTier,
    Urgency,
)
from complaint_service.sla.calendar import DEFAULT_BUSINESS_HOURS_SPEC
from complaint_service.sla.calendar_schema import CALENDAR_SPEC_EXAMPLE, CalendarSpec

DepartmentKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LanguageTag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=35),
]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
Password = Annotated[
    str,
    StringConstraints(min_length=12, max_length=256),
    Field(
        description="At least 12 characters; stored only as an argon2id hash.",
        json_schema_extra={"writeOnly": True},
    ),
]
PersonScope = Literal["pii:read"]
_INPUT = ConfigDict(extra="forbid")


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class Conditions(Schema):
    """Each listed condition must hold; an empty or missing list places no condition."""

    model_config = _INPUT

    categories: list[Category] = Field(default_factory=list, max_length=len(Category))
    urgencies: list[Urgency] = Field(default_factory=list, max_length=len(Urgency))
    channels: list[Channel] = Field(default_factory=list, max_length=len(Channel))
    tiers: list[CustomerTier] = Field(default_factory=list, max_length=len(CustomerTier))
    flags: list[Tag] = Field(
        default_factory=list, max_length=50, description="Any overlap with the complaint's flags matches."
    )

    @field_validator("categories", "urgencies", "channels", "tiers", "flags")
    @classmethod
    def _dedupe(cls, values: list[Any]) -> list[Any]:
        return _unique(values)

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the database: only the conditions that are set, as the seeds store them."""
        return self.model_dump(mode="json", exclude_defaults=True)


class RuleConditions(Conditions):
    phrases: list[Phrase] = Field(
        default_factory=list,
        max_length=200,
        description="Matches when any phrase occurs in the subject or body (case- and width-insensitive).",
    )

    @field_validator("phrases")
    @classmethod
    def _dedupe_phrases(cls, values: list[str]) -> list[str]:
        return _unique(values)


def _default_calendar() -> CalendarSpec:
    return CalendarSpec.model_validate(DEFAULT_BUSINESS_HOURS_SPEC)


DEPARTMENT_EXAMPLE: dict[str, Any] = {
    "id": "0193a5c2-7f30-7000-8000-1a2b3c4d5e6f",
    "key": "vip_care",
    "name": "VIP 客户关怀",
    "strategy": "round_robin",
    "calendar": CALENDAR_SPEC_EXAMPLE,
    "created_at": "2026-11-22T08:00:00Z",
    "updated_at": "2026-11-22T08:00:00Z",
}


class DepartmentCreate(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{k: DEPARTMENT_EXAMPLE[k] for k in ("key", "name", "strategy", "calendar")}]
        },
    )

    key: DepartmentKey = Field(description="Stable slug used by rules, agents and complaints; cannot change.")
    name: Name
    strategy: AssignmentStrategy = AssignmentStrategy.least_loaded
    calendar: CalendarSpec = Field(
        default_factory=_default_calendar,
        description="Working hours; default Mon-Fri 09:00-18:00 Asia/Shanghai, closed on China's holidays.",
    )


class DepartmentUpdate(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "VIP 客戶關懷", "strategy": "least_loaded"}]}
    )

    name: Name | None = None
    strategy: AssignmentStrategy | None = None
    calendar: CalendarSpec | None = None

    @field_validator("name", "strategy", "calendar")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class DepartmentOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [DEPARTMENT_EXAMPLE]})

    id: uuid.UUID
    key: str
    name: str
    strategy: str
    calendar: dict[str, Any]
    created_at: datetime
    updated_at: datetime


AGENT_EXAMPLE: dict[str, Any] = {
    "id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "name": "李娜",
    "email": "li.na@example.com",
    "role": "agent",
    "departments": ["finance", "customer_service"],
    "skills": ["refund", "cantonese"],
    "languages": ["zh-Hans", "zh-Hant", "en"],
    "capacity": 12,
    "schedule": None,
    "status": "active",
    "open_count": 7,
    "scopes": [],
    "can_sign_in": True,
    "external_subject": None,
    "disabled_at": None,
    "last_assigned_at": "2026-11-22T03:15:00Z",
    "created_at": "2026-11-20T08:00:00Z",
    "updated_at": "2026-11-22T03:15:00Z",
    "version": 3,
}
_AGENT_INPUT_EXAMPLE = {
    k: AGENT_EXAMPLE[k]
    for k in ("name", "email", "role", "departments", "skills", "languages", "capacity", "schedule", "status")
}


class AgentCreate(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_AGENT_INPUT_EXAMPLE]})

    name: Name
    email: Email | None = None
    role: AgentRole = AgentRole.agent
    departments: list[DepartmentKey] = Field(
        min_length=1,
        max_length=20,
        description="Keys of existing departments the agent takes complaints for.",
    )
    skills: list[Tag] = Field(default_factory=list, max_length=50)
    languages: list[LanguageTag] = Field(
        default_factory=list,
        max_length=20,
        description="BCP 47 tags such as zh-Hans, zh-Hant, en; empty = any.",
    )
    capacity: int = Field(
        default=10, ge=0, le=1000, description="Open complaints the agent may hold at once."
    )
    schedule: CalendarSpec | None = Field(
        default=None, description="Shifts; null follows the department's hours."
    )
    status: AgentStatus = AgentStatus.active
    password: Password | None = Field(default=None, description="Lets the person sign in with their e-mail.")
    scopes: list[PersonScope] = Field(
        default_factory=list,
        description="Grants beyond the role: `pii:read` unmasks personal data (audited).",
    )

    @field_validator("departments", "skills", "languages", "scopes")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return _unique(values)

    def schedule_spec(self) -> dict[str, Any] | None:
        return None if self.schedule is None else self.schedule.model_dump(mode="json")


class AgentUpdate(Schema):
    """Only the fields sent change; `email` and `schedule` may be set to null."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "away"}, {"capacity": 15, "skills": ["refund"]}]},
    )

    name: Name | None = None
    email: Email | None = None
    role: AgentRole | None = None
    departments: list[DepartmentKey] | None = Field(default=None, min_length=1, max_length=20)
    skills: list[Tag] | None = Field(default=None, max_length=50)
    languages: list[LanguageTag] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=0, le=1000)
    schedule: CalendarSpec | None = None
    status: AgentStatus | None = None
    password: Password | None = None
    scopes: list[PersonScope] | None = None
    disabled: bool | None = Field(
        default=None, description="True refuses sign-in and every token of the person at once."
    )

    @field_validator(
        "name", "role", "departments", "skills", "languages", "capacity", "status", "scopes", "disabled"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @field_validator("departments", "skills", "languages")
    @classmethod
    def _dedupe(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _unique(values)

    def schedule_spec(self) -> dict[str, Any] | None:
        return None if self.schedule is None else self.schedule.model_dump(mode="json")


class AgentOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [AGENT_EXAMPLE]})

    id: uuid.UUID
    name: str
    email: str | None
    role: str
    departments: list[str]
    skills: list[str]
    languages: list[str]
    capacity: int
    schedule: dict[str, Any] | None
    status: str
    open_count: int = Field(description="Open complaints assigned now; new work goes only below `capacity`.")
    scopes: list[str]
    can_sign_in: bool = Field(description="Has a password for `POST /v1/auth/token`.")
    external_subject: str | None = Field(
        description="`issuer|subject` when the identity provider manages the person."
    )
    disabled_at: datetime | None
    last_assigned_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Also sent as the `ETag`; send it back in `If-Match` to update safely.")

    @classmethod
    def build(cls, agent: Any) -> AgentOut:
        data = {name: getattr(agent, name) for name in cls.model_fields if hasattr(agent, name)}
        return cls.model_validate(data | {"can_sign_in": agent.password_hash is not None})


RULE_INPUT_EXAMPLE: dict[str, Any] = {
    "name": "VIP 支付问题",
    "conditions": {
        "categories": ["payment_billing"],
        "tiers": ["vip", "gold"],
        "phrases": ["扣款", "double charged"],
    },
    "department": "finance",
    "required_skills": ["refund"],
    "enabled": True,
}
RULE_EXAMPLE: dict[str, Any] = {
    "id": "0193a5c2-7f32-7000-8000-3c4d5e6f7081",
    "position": 10,
    **RULE_INPUT_EXAMPLE,
    "created_at": "2026-11-22T08:00:00Z",
    "updated_at": "2026-11-22T08:00:00Z",
}
CATCH_ALL_RULE: dict[str, Any] = {
    "name": "Everything else",
    "conditions": {},
    "department": "customer_service",
    "required_skills": [],
    "enabled": True,
}


class RoutingRuleIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RULE_INPUT_EXAMPLE]})

    name: Name
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    department: DepartmentKey
    required_skills: list[Tag] = Field(
        default_factory=list,
        max_length=20,
        description="Only agents with all of these skills get the complaint.",
    )
    enabled: bool = True

    @field_validator("required_skills")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return _unique(values)


class RoutingRuleOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [RULE_EXAMPLE]})

    id: uuid.UUID
    position: int
    name: str
    conditions: dict[str, Any]
    department: str
    required_skills: list[str]
    enabled: bool
    created_at: datetime
    updated_at: datetime


class RoutingRulesIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rules": [RULE_INPUT_EXAMPLE, CATCH_ALL_RULE]}]}
    )

    rules: list[RoutingRuleIn] = Field(
        max_length=500, description="The complete new list, first match wins; positions become 10, 20, 30…"
    )


class RoutingRulesOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rules": [
                        RULE_EXAMPLE,
                        {
                            **RULE_EXAMPLE,
                            **CATCH_ALL_RULE,
                            "id": "0193a5c2-7f32-7000-8000-3c4d5e6f7082",
                            "position": 20,
                        },
                    ]
                }
            ]
        }
    )

    rules: list[RoutingRuleOut]
