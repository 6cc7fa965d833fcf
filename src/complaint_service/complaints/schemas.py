"""Read models of complaints, their messages and timeline, masked unless the caller sees PII."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from complaint_service.core.schemas import Schema
from complaint_service.models import Complaint, Event, Message
from complaint_service.pii.mask import mask_optional, mask_text
from complaint_service.pii.redact import mask_tree


class ComplaintLinks(Schema):
    self: str
    timeline: str
    messages: str
    customer: str | None = None


class ComplaintOut(Schema):
    id: uuid.UUID
    reference: str = Field(examples=["C20261122-000123"])
    channel: str
    external_id: str | None
    status: str
    category: str | None
    urgency: str | None
    department: str | None
    assignee_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    subject: str | None
    body: str
    language: str | None
    attachments: list[dict[str, Any]]
    channel_data: dict[str, Any]
    order_id: str | None
    product_sku: str | None
    app_version: str | None
    amount: Decimal | None
    currency: str | None
    tags: list[str]
    flags: list[str]
    has_pii: bool = Field(description="True when the text carries phone, ID, card or e-mail numbers.")
    pii_masked: bool = Field(description="True when PII in this representation is masked for this caller.")
    received_at: datetime
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    resolution_due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    triaged_at: datetime | None
    assigned_at: datetime | None
    escalation_level: int = Field(description="0 = not escalated; each escalation step raises it.")
    resolution_code: str | None
    resolution_summary: str | None
    reopen_count: int
    merged_into_id: uuid.UUID | None = Field(
        description="Set when this complaint was merged: its messages are on that complaint, the live ticket."
    )
    repeat_of_id: uuid.UUID | None = Field(description="The resolved complaint this one repeats.")
    version: int = Field(description="Also the `ETag`; send it as `If-Match` when you change the complaint.")
    links: ComplaintLinks

    @classmethod
    def build(cls, complaint: Complaint, *, reveal_pii: bool) -> ComplaintOut:
        masked = complaint.has_pii and not reveal_pii
        base = f"/v1/complaints/{complaint.id}"
        data = {c: getattr(complaint, c) for c in cls.model_fields if hasattr(complaint, c)}
        data |= {
            "pii_masked": masked,
            "links": ComplaintLinks(
                self=base,
                timeline=f"{base}/timeline",
                messages=f"{base}/messages",
                customer=f"/v1/customers/{complaint.customer_id}" if complaint.customer_id else None,
            ),
        }
        if not reveal_pii:
            data |= {
                "subject": mask_optional(complaint.subject),
                "body": mask_text(complaint.body),
                "channel_data": mask_tree(complaint.channel_data),
                "attachments": mask_tree(complaint.attachments),
            }
        return cls.model_validate(data)


class MessageOut(Schema):
    id: uuid.UUID
    direction: str
    visibility: str
    channel: str
    external_id: str | None
    author: str | None
    subject: str | None
    body: str
    attachments: list[dict[str, Any]]
    flags: list[str]
    created_at: datetime

    @classmethod
    def build(cls, message: Message, *, reveal_pii: bool) -> MessageOut:
        out = cls.model_validate(message)
        if reveal_pii:
            return out
        return out.model_copy(
            update={
                "author": mask_optional(out.author),
                "subject": mask_optional(out.subject),
                "body": mask_text(out.body),
                "attachments": mask_tree(out.attachments),
            }
        )


class EventOut(Schema):
    id: uuid.UUID
    type: str = Field(examples=["complaint.received"])
    actor: str = Field(examples=["api_key:wechat-adapter"])
    data: dict[str, Any]
    request_id: str | None
    occurred_at: datetime

    @classmethod
    def build(cls, event: Event, *, reveal_pii: bool) -> EventOut:
        out = cls.model_validate(event)
        return out if reveal_pii else out.model_copy(update={"data": mask_tree(out.data)})
