"""What every channel normalizer produces, and the contract JSON channel payloads fulfil."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from complaint_service.core.schemas import Schema
from complaint_service.models.enums import Channel, ComplaintFlag, IdentityKind


class Attachment(Schema):
    """Attachment metadata only; the bytes stay with the channel (or an object store) behind `url`."""

    name: str | None = Field(default=None, max_length=500, examples=["screenshot.png"])
    content_type: str | None = Field(default=None, max_length=200, examples=["image/png"])
    size: int | None = Field(default=None, ge=0, examples=[48213])
    url: str | None = Field(default=None, max_length=2000, examples=["https://cdn.example.com/a/1.png"])
    media_id: str | None = Field(
        default=None, max_length=500, description="Channel media id (WeChat MediaId…)"
    )


class IdentityIn(Schema):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)


def _strip_nul(value: str | None) -> str | None:
    return value.replace("\x00", "") if value is not None else None


class ComplaintDraft(BaseModel):
    """A complaint as one channel delivered it, already in the unified shape, not yet stored.

    Raw channels (e-mail, WeChat XML) may carry stray NUL bytes; they are dropped here because
    PostgreSQL text cannot hold them and they carry no meaning.
    """

    channel: Channel
    external_id: str | None = Field(default=None, max_length=512)
    received_at: datetime | None = None
    subject: str | None = None
    body: str = ""
    language: str | None = None
    author: str | None = Field(default=None, description="Who wrote it, as the channel names them.")
    customer_name: str | None = None
    identities: list[IdentityIn] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    order_id: str | None = Field(default=None, max_length=128)
    product_sku: str | None = Field(default=None, max_length=128)
    app_version: str | None = Field(default=None, max_length=64)
    amount: Decimal | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    tags: list[str] = Field(default_factory=list)
    flags: list[ComplaintFlag] = Field(default_factory=list)
    channel_data: dict[str, Any] = Field(default_factory=dict)
    thread_refs: list[str] = Field(
        default_factory=list,
        description="Channel message ids this one answers (e-mail In-Reply-To/References).",
    )

    @field_validator("subject", "body", "author", "customer_name", mode="before")
    @classmethod
    def _drop_nul(cls, value: Any) -> Any:
        return _strip_nul(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Ignored:
    """A push that is not a complaint (WeChat subscribe event…): acknowledged, nothing stored."""

    reason: str


class ChannelPayload(Schema, ABC):
    """Base of the JSON payload of one channel; each subclass maps itself onto a draft."""

    channel: ClassVar[Channel]

    @abstractmethod
    def to_draft(self) -> ComplaintDraft:
        """Map the channel's own field names onto the unified complaint."""
