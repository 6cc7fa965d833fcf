"""The canonical complaint adapters post when they already normalise, and the intake receipt."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import Attachment, ComplaintDraft, IdentityIn
from complaint_service.intake.service import IntakeOutcome
from complaint_service.models.enums import Channel, IdentityKind

_CANONICAL_EXAMPLE: dict[str, Any] = {
    "channel": "app_feedback",
    "external_id": "fb-20261122-88123",
    "received_at": "2026-11-22T10:30:00+08:00",
    "subject": "更新后闪退",
    "body": "更新到 5.2.1 之后，一打开订单页就闪退，已经试过重装，还是不行。订单号 202611220001。",
    "customer": {"name": "王小明", "phone": "+86 138 1234 5678", "app_user_id": "u_99812"},
    "order_id": "202611220001",
    "app_version": "5.2.1",
    "attachments": [
        {
            "name": "crash.png",
            "content_type": "image/png",
            "size": 48213,
            "url": "https://cdn.example.com/fb/crash.png",
        }
    ],
    "tags": ["android"],
    "metadata": {"os": "Android 15", "device_model": "Xiaomi 14"},
}


class CustomerIn(Schema):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(
        default=None, max_length=40, description="Any format; stored as E.164 (default region CN)."
    )
    email: str | None = Field(default=None, max_length=320, description="Stored lower-cased.")
    wechat_openid: str | None = Field(default=None, max_length=128)
    weibo_uid: str | None = Field(default=None, max_length=64)
    app_user_id: str | None = Field(default=None, max_length=128)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20, description="Further handles.")

    def all_identities(self) -> list[IdentityIn]:
        named = [
            (IdentityKind.phone, self.phone),
            (IdentityKind.email, self.email),
            (IdentityKind.wechat_openid, self.wechat_openid),
            (IdentityKind.weibo_uid, self.weibo_uid),
            (IdentityKind.app_user_id, self.app_user_id),
        ]
        return [IdentityIn(kind=k, value=v) for k, v in named if v] + self.identities


class ComplaintCreate(Schema):
    """A complaint already in the unified shape. `channel` says where the customer wrote."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CANONICAL_EXAMPLE]})

    channel: Channel = Channel.api
    external_id: str | None = Field(
        default=None,
        max_length=512,
        description="The channel's own id; a repeat of it returns the first complaint.",
    )
    received_at: datetime | None = Field(
        default=None, description="When the channel received it; default now."
    )
    subject: str | None = Field(default=None, max_length=500)
    body: str = Field(min_length=1, max_length=20_000)
    language: str | None = Field(default=None, max_length=16, description="BCP 47; detected when omitted.")
    customer: CustomerIn = Field(default_factory=CustomerIn)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    order_id: str | None = Field(default=None, max_length=128)
    product_sku: str | None = Field(default=None, max_length=128)
    app_version: str | None = Field(default=None, max_length=64)
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. CNY.")
    tags: list[str] = Field(default_factory=list, max_length=30)
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Channel-specific extras, kept as given."
    )

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("received_at needs a time zone offset")
        return value

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, value: list[str]) -> list[str]:
        if any(not 0 < len(tag) <= 64 for tag in value):
            raise ValueError("tags are 1 to 64 characters")
        return value

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.external_id,
            received_at=self.received_at,
            subject=self.subject,
            body=self.body,
            language=self.language,
            author=self.customer.name,
            customer_name=self.customer.name,
            identities=self.customer.all_identities(),
            attachments=self.attachments,
            order_id=self.order_id,
            product_sku=self.product_sku,
            app_version=self.app_version,
            amount=self.amount,
            currency="CNY" if self.amount is not None and self.currency is None else self.currency,
            tags=self.tags,
            channel_data=self.metadata,
        )


class IntakeReceipt(Schema):
    """What an adapter keeps: the reference to quote to the customer and where to read the complaint."""

    id: uuid.UUID
    reference: str = Field(examples=["C20261122-000123"])
    status: str = Field(examples=["new"])
    outcome: IntakeOutcome = Field(
        description="`created` (201), `duplicate` (200: same external id or Idempotency-Key) or "
        "`threaded` (200: added as a message to the complaint it replies to)."
    )
    link: str = Field(examples=["/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"])
