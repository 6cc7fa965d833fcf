"""Request bodies of the handling actions: what agents, leads and supervisors send to work a complaint."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from complaint_service.core.schemas import Schema
from complaint_service.models.enums import Category, ComplaintStatus, ResolutionCode, Urgency

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_INPUT = ConfigDict(extra="forbid")


class AssignIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"assignee_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70"}]},
    )

    assignee_id: uuid.UUID = Field(description="A person who works for the complaint's department.")
    note: Reason | None = Field(default=None, description="Why; kept on the timeline.")


class StatusIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "pending_customer", "reason": "asked for the order screenshot"}]
        },
    )

    status: Literal[ComplaintStatus.in_progress, ComplaintStatus.pending_customer] = Field(
        description="Working states only; resolving, closing and reopening have their own actions."
    )
    reason: Reason | None = None


class ResolveIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "compensated", "summary": "重复扣款已原路退回，并补偿20元优惠券。"}]
        },
    )

    code: ResolutionCode
    summary: Text = Field(description="What was done; shown to colleagues and used by suggestions.")


class CloseIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "customer confirmed"}]}
    )

    reason: Reason
    code: ResolutionCode | None = Field(
        default=None,
        description="Only when a supervisor closes an open complaint outright (e.g. `withdrawn`).",
    )


class ReopenIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "refund never arrived"}]}
    )

    reason: Reason


class ReplyIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"body": "您好，重复扣款的49元已原路退回，预计1-3个工作日到账。", "then": "pending_customer"},
                {
                    "body": "We have refunded the double charge.",
                    "solution_id": "0193a5c2-7f40-7000-8000-0a0b0c0d0e20",
                },
            ]
        },
    )

    body: Text
    then: Literal[ComplaintStatus.pending_customer, ComplaintStatus.in_progress] | None = Field(
        default=None, description="`pending_customer` waits for the customer's answer (SLA clocks pause)."
    )
    solution_id: uuid.UUID | None = Field(
        default=None, description="The knowledge-base solution this reply uses; its usage is counted."
    )


class NoteIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "已联系支付渠道核实，等待对账结果。"}]}
    )

    body: Text


class ComplaintPatch(Schema):
    """Only the fields sent change. A new urgency or category moves the SLA due times."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"urgency": "P2"}, {"category": "refund_return", "tags": ["vip"]}]},
    )

    urgency: Urgency | None = None
    category: Category | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    reason: Reason | None = None


class BulkFilter(Schema):
    model_config = _INPUT

    ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=1000, description="Exactly these complaints."
    )
    status: list[ComplaintStatus] = Field(default_factory=list)
    category: list[Category] = Field(default_factory=list)
    urgency: list[Urgency] = Field(default_factory=list)
    department: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list)
    assignee_id: uuid.UUID | None = None


class BulkIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "filter": {
                        "assignee_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
                        "status": ["assigned", "in_progress"],
                    },
                    "action": "reassign",
                    "assignee_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f71",
                },
                {
                    "filter": {"ids": ["0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"]},
                    "action": "close",
                    "reason": "spam wave",
                },
            ]
        },
    )

    filter: BulkFilter = Field(description="At least one condition; all must hold.")
    action: Literal["reassign", "change_urgency", "close"]
    assignee_id: uuid.UUID | None = Field(default=None, description="For `reassign`.")
    urgency: Urgency | None = Field(default=None, description="For `change_urgency`.")
    reason: Reason = Field(default="bulk action", description="Kept on each complaint's timeline.")


class BulkSkip(Schema):
    id: uuid.UUID
    reason: str


class BulkOut(Schema):
    matched: int = Field(description="Complaints the filter selected (at most the bulk limit).")
    changed: int
    skipped: list[BulkSkip] = Field(description="Complaints left as they were, each with the reason.")
    truncated: bool = Field(description="True when more complaints matched than one bulk action takes.")
