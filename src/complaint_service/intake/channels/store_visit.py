"""Complaints made in person at a store, recorded by staff in the store app."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from complaint_service.intake.channels.base import Attachment, ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    NAIVE_TZ_NOTE,
    Body,
    ExternalId,
    Phone,
    Timestamp,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind


class StoreVisitPayload(ChannelPayload):
    """One customer visit in which a complaint was raised, as the staff member wrote it down."""

    channel: ClassVar[Channel] = Channel.store_visit

    visit_id: ExternalId = Field(description="Id of the visit record; the complaint's external id.")
    store_id: ExternalId = Field(description="Store code, e.g. `SH-XH-012`.")
    store_name: str | None = Field(default=None, max_length=100)
    staff_id: ExternalId = Field(description="Employee id of the staff member who recorded the visit.")
    customer_name: str | None = Field(default=None, max_length=100, description="Name the customer gave.")
    customer_phone: Phone | None = Field(
        default=None, description="Phone the customer gave, any format; omit when they declined."
    )
    description: Body = Field(description="The complaint in the staff member's words.")
    order_id: str | None = Field(default=None, max_length=128)
    product_sku: str | None = Field(default=None, max_length=128)
    visited_at: Timestamp = Field(description="When the customer was in the store. " + NAIVE_TZ_NOTE)
    photos: list[Attachment] = Field(
        default_factory=list,
        max_length=20,
        description="Photos taken in the store (receipt, product, damage).",
    )

    model_config = payload_config(
        {
            "visit_id": "SV-SH-XH-012-20261122-0031",
            "store_id": "SH-XH-012",
            "store_name": "乐购生活馆 上海徐汇店",
            "staff_id": "E20931",
            "customer_name": "张女士",
            "customer_phone": "021-6488 1234",
            "description": "顾客反映11月15日在本店购买的电饭煲使用三次后内胆涂层脱落，要求退货并补偿。",
            "order_id": "POS-012-20261115-0457",
            "product_sku": "KB-RC-300-SL",
            "visited_at": "2026-11-22 15:20:00",
            "photos": [
                {
                    "name": "内胆脱落.jpg",
                    "content_type": "image/jpeg",
                    "size": 1204411,
                    "url": "https://store-app.example.cn/visits/SV-SH-XH-012-20261122-0031/1.jpg",
                }
            ],
        }
    )

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.visit_id,
            received_at=self.visited_at,
            body=self.description,
            author=self.customer_name,
            customer_name=self.customer_name,
            identities=(
                [IdentityIn(kind=IdentityKind.phone, value=self.customer_phone)]
                if self.customer_phone
                else []
            ),
            attachments=self.photos,
            order_id=self.order_id,
            product_sku=self.product_sku,
            channel_data=compact(store_id=self.store_id, store_name=self.store_name, staff_id=self.staff_id),
        )
