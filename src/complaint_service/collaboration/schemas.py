"""Collaboration request bodies and the read model, whose texts are masked unless the caller sees PII."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from complaint_service.collaboration import examples
from complaint_service.collaboration.repository import RequestView
from complaint_service.complaints.commands import Reason, Text
from complaint_service.core.schemas import Schema
from complaint_service.pii.mask import mask_optional, mask_text
from complaint_service.routing.schemas import DepartmentKey

MAX_MINUTES = 30 * 24 * 60


class CollaborationIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": examples.CREATE})

    to_department: DepartmentKey = Field(
        description="The department asked: another one than the complaint's."
    )
    question: Text = Field(description="What you need from them; they read the complaint while it is open.")
    answer_within_minutes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MINUTES,
        description="Business minutes on the asked department's calendar. Default: that department's "
        "configured target (tech: 120).",
    )
    due_at: AwareDatetime | None = Field(
        default=None, description="An exact deadline instead, ISO 8601 with offset; must lie in the future."
    )

    @model_validator(mode="after")
    def _one_deadline(self) -> Self:
        if self.answer_within_minutes is not None and self.due_at is not None:
            raise ValueError("give answer_within_minutes or due_at, not both")
        return self


class CollaborationAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"answer": examples.ANSWER}]})

    answer: Text


class CollaborationDeclineIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "支付通道问题请找 finance，非客户端缺陷。"}]},
    )

    reason: Reason


class CollaborationCancelIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "客户已自行解决"}]})

    reason: Reason | None = None


class CollaborationLinks(Schema):
    self: str
    complaint: str


class CollaborationOut(Schema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    complaint_reference: str = Field(examples=["C20261122-000123"])
    from_department: str | None = Field(description="The complaint's department when it asked.")
    to_department: str
    status: str = Field(description="`open`, then `answered`, `declined` or `cancelled`.")
    question: str
    requested_by: str = Field(examples=["user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70"])
    due_at: datetime
    warned_at: datetime | None = Field(description="When the first warning before the deadline went out.")
    breached_at: datetime | None = Field(description="Set once the deadline passed while it was open.")
    answer: str | None
    reason: str | None = Field(description="Why it was declined or cancelled.")
    closed_at: datetime | None
    closed_by: str | None
    created_at: datetime
    updated_at: datetime
    pii_masked: bool = Field(description="True when personal data in the texts is masked for this caller.")
    version: int = Field(
        description="Also the `ETag`; send it as `If-Match` when you answer, decline or cancel."
    )
    links: CollaborationLinks

    @classmethod
    def build(cls, view: RequestView, *, reveal_pii: bool) -> CollaborationOut:
        request = view.request
        question, answer, reason = request.question, request.answer, request.reason
        if not reveal_pii:
            question, answer, reason = mask_text(question), mask_optional(answer), mask_optional(reason)
        return cls(
            id=request.id,
            complaint_id=request.complaint_id,
            complaint_reference=view.reference,
            from_department=request.from_department,
            to_department=request.to_department,
            status=request.status,
            question=question,
            requested_by=request.requested_by,
            due_at=request.due_at,
            warned_at=view.warned_at,
            breached_at=view.breached_at,
            answer=answer,
            reason=reason,
            closed_at=request.closed_at,
            closed_by=request.closed_by,
            created_at=request.created_at,
            updated_at=request.updated_at,
            pii_masked=(question, answer, reason) != (request.question, request.answer, request.reason),
            version=request.version,
            links=CollaborationLinks(
                self=f"/v1/collaborations/{request.id}", complaint=f"/v1/complaints/{request.complaint_id}"
            ),
        )
