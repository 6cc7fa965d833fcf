"""Webhook endpoint and delivery bodies; a secret leaves the service only in the answer that made it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, AnyHttpUrl, ConfigDict, Field, UrlConstraints, model_validator

from complaint_service.core.schemas import Schema
from complaint_service.models import WebhookDelivery, WebhookEndpoint
from complaint_service.models.enums import Channel
from complaint_service.outbound.events import EventType

URL_MAX_LENGTH = 2000  # the column's width


def _fits_column(url: AnyHttpUrl) -> AnyHttpUrl:
    """Normalising (a trailing `/`, punycode) can lengthen a URL that passed `max_length`."""
    if len(str(url)) > URL_MAX_LENGTH:
        raise ValueError(f"the URL is longer than {URL_MAX_LENGTH} characters once normalised")
    return url


WebhookUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=URL_MAX_LENGTH, allowed_schemes=["http", "https"]),
    AfterValidator(_fits_column),
]
SECRET_PREFIX_LENGTH = 6


class EndpointCreate(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["WeChat official account adapter"])
    url: WebhookUrl = Field(examples=["https://adapters.example.com/wechat/outbound"])
    secret: str | None = Field(
        default=None,
        min_length=24,
        max_length=200,
        description="Signing secret; omit it to have a strong one generated and returned once.",
    )
    channels: list[Channel] = Field(
        default_factory=list,
        description="Customer messages of complaints on these channels come here as `message.outbound`.",
        examples=[["wechat"]],
    )
    event_types: list[EventType] = Field(
        default_factory=list,
        description="Subscribed event types, or `*` for all of them.",
        examples=[["complaint.resolved", "sla.breached"]],
    )

    @model_validator(mode="after")
    def _receives_something(self) -> Self:
        if not self.channels and not self.event_types:
            raise ValueError("an endpoint needs at least one channel or event type")
        return self


class EndpointUpdate(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True, "rotate_secret": True}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: WebhookUrl | None = None
    channels: list[Channel] | None = None
    event_types: list[EventType] | None = None
    enabled: bool | None = None
    rotate_secret: bool = Field(
        default=False, description="Replace the secret with a generated one, returned once in this answer."
    )


class EndpointOut(Schema):
    id: uuid.UUID
    name: str
    url: str
    channels: list[str]
    event_types: list[str]
    enabled: bool
    secret_prefix: str = Field(description="The first characters of the secret, to tell secrets apart.")
    secret: str | None = Field(
        default=None,
        description="The signing secret: only in the answer that created or rotated it. Store it then.",
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, endpoint: WebhookEndpoint, *, reveal_secret: bool = False) -> EndpointOut:
        return cls(
            id=endpoint.id,
            name=endpoint.name,
            url=endpoint.url,
            channels=endpoint.channels,
            event_types=endpoint.event_types,
            enabled=endpoint.enabled,
            secret_prefix=endpoint.secret[:SECRET_PREFIX_LENGTH] + "…",
            secret=endpoint.secret if reveal_secret else None,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class DeliveryOut(Schema):
    id: uuid.UUID = Field(description="Also sent as `X-Complaint-Delivery`; receivers dedupe on it.")
    endpoint_id: uuid.UUID
    complaint_id: uuid.UUID | None
    message_id: uuid.UUID | None
    event_type: str
    status: str = Field(description="pending, delivered or dead (retry window spent; redeliver to retry).")
    attempts: int = Field(description="Failed attempts so far.")
    next_attempt_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any] = Field(
        description="The JSON body sent, byte for byte the same on every attempt."
    )

    @classmethod
    def build(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls.model_validate(delivery)
