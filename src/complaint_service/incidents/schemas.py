"""Incidents as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from complaint_service.core.schemas import Schema
from complaint_service.incidents.repository import Counts
from complaint_service.models import Incident, IncidentEvent, IncidentUpdate
from complaint_service.models.enums import Category, ResolutionCode
from complaint_service.models.incident import IncidentStatus, UpdateKind

MAX_LINKS = 1000
ANNOUNCEMENT = "您好，支付故障已修复。若您被扣款但订单未生成，款项将在 1-3 个工作日内原路退回。"


class IncidentIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "微信支付通道故障：支付失败",
                    "category": "payment_billing",
                    "description": "支付失败 扣款未到账 系统繁忙",
                    "complaint_ids": ["0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"],
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=200, examples=["微信支付通道故障：支付失败"])
    category: Category = Field(examples=["payment_billing"])
    description: str | None = Field(
        default=None,
        max_length=5000,
        description="Its words, with the title's, are matched against new complaints of the category.",
        examples=["支付失败 扣款未到账 系统繁忙"],
    )
    app_version: str | None = Field(default=None, max_length=64, examples=["5.2.1"])
    product_sku: str | None = Field(default=None, max_length=128)
    complaint_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_LINKS)


class LinkIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"complaint_ids": ["0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"]}]}
    )

    complaint_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_LINKS)


class LinkOut(Schema):
    linked: list[uuid.UUID] = Field(description="Linked by this request.")
    skipped: list[uuid.UUID] = Field(
        description="Already in an incident (this one or another): left as they are."
    )


class UpdateIn(Schema):
    body: str = Field(
        min_length=1,
        max_length=5000,
        description="Sent as a public reply to every open linked complaint's customer, on their channel.",
        examples=["支付通道已恢复部分服务，技术团队正在处理剩余问题，预计 30 分钟内完全恢复。"],
    )


class ResolveIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "incident_resolved",
                    "summary": "支付通道故障已修复，重复扣款将原路退回。",
                    "announcement": ANNOUNCEMENT,
                }
            ]
        }
    )

    code: ResolutionCode = Field(
        default=ResolutionCode.incident_resolved, description="Given to each complaint."
    )
    summary: str = Field(min_length=1, max_length=5000, examples=["支付通道故障已修复，重复扣款将原路退回。"])
    announcement: str = Field(
        min_length=1,
        max_length=5000,
        description="The one message each open linked complaint's customer receives as it is resolved.",
        examples=[ANNOUNCEMENT],
    )


class IncidentCounts(Schema):
    complaints: int = Field(description="Linked complaints.")
    customers: int = Field(description="Distinct customers among them.")
    open: int
    resolved: int
    closed: int


class IncidentLinks(Schema):
    self: str
    complaints: str
    timeline: str


class IncidentOut(Schema):
    id: uuid.UUID
    title: str
    description: str | None
    category: Category
    app_version: str | None
    product_sku: str | None
    status: IncidentStatus
    automatic: bool = Field(description="Opened by detection rather than by a person.")
    opened_by: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_code: str | None
    resolution_summary: str | None
    counts: IncidentCounts
    links: IncidentLinks

    @classmethod
    def build(cls, incident: Incident, counts: Counts) -> IncidentOut:
        base = f"/v1/incidents/{incident.id}"
        return cls.model_validate(
            {name: getattr(incident, name) for name in cls.model_fields if hasattr(incident, name)}
            | {
                "counts": IncidentCounts.model_validate(counts),
                "links": IncidentLinks(
                    self=base, complaints=f"{base}/complaints", timeline=f"{base}/timeline"
                ),
            }
        )


class IncidentUpdateOut(Schema):
    id: uuid.UUID
    incident_id: uuid.UUID
    kind: UpdateKind
    body: str
    author: str
    created_at: datetime
    completed_at: datetime | None = Field(description="When every open linked customer had been sent it.")

    @classmethod
    def build(cls, update: IncidentUpdate) -> IncidentUpdateOut:
        return cls.model_validate(update)


class IncidentEventOut(Schema):
    id: uuid.UUID
    type: str = Field(examples=["incident.opened"])
    actor: str
    data: dict[str, Any]
    request_id: str | None
    occurred_at: datetime

    @classmethod
    def build(cls, event: IncidentEvent) -> IncidentEventOut:
        return cls.model_validate(event)
