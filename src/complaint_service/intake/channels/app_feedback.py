"""Feedback sent from inside our mobile apps by the in-app feedback SDK."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    NAIVE_TZ_NOTE,
    Body,
    Email,
    ExternalId,
    Phone,
    Timestamp,
    Url,
    attachment_from_url,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind


class Screenshot(Schema):
    url: Url = Field(description="Where the SDK uploaded the screenshot.")
    content_type: str | None = Field(default=None, max_length=100, examples=["image/jpeg"])
    size: int | None = Field(default=None, ge=0, description="Bytes.")


class AppFeedbackPayload(ChannelPayload):
    """One feedback form submitted in the app, with the device context the SDK adds."""

    channel: ClassVar[Channel] = Channel.app_feedback

    feedback_id: ExternalId = Field(description="Id the SDK gave this feedback; the complaint's external id.")
    user_id: ExternalId = Field(description="Logged-in user's id in our app.")
    phone: Phone | None = Field(default=None, description="Contact phone the user typed, any format.")
    email: Email | None = Field(default=None, description="Contact e-mail the user typed.")
    text: Body = Field(description="What the user wrote.")
    app_version: str | None = Field(default=None, max_length=64, description="App version, e.g. `5.2.1`.")
    os: str | None = Field(
        default=None, max_length=64, description="OS and version, e.g. `iOS 18.1`, `Android 15`."
    )
    device_model: str | None = Field(default=None, max_length=100, examples=["iPhone 16 Pro"])
    network: str | None = Field(
        default=None, max_length=32, description="Connection type: `wifi`, `5G`, `4G`…"
    )
    locale: str | None = Field(
        default=None,
        max_length=16,
        pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}$",
        description="App UI locale, e.g. `zh-CN`, `zh-Hant-TW`; Android's `zh_CN` form is accepted.",
    )
    screenshots: list[Screenshot] = Field(default_factory=list, max_length=10)
    category_hint: str | None = Field(
        default=None, max_length=64, description="Topic the user picked in the form, e.g. `支付问题`."
    )
    order_id: str | None = Field(default=None, max_length=128, description="Order the feedback is about.")
    submitted_at: Timestamp = Field(description="When the user pressed send. " + NAIVE_TZ_NOTE)

    model_config = payload_config(
        {
            "feedback_id": "fb_01JDB7K2Q9XW3M5N8R4T6Y1Z0A",
            "user_id": "u_10293847",
            "phone": "138 1234 5678",
            "text": "更新到5.2.1以后一打开“我的订单”就闪退，重装了也没用，急着查物流。",
            "app_version": "5.2.1",
            "os": "iOS 18.1",
            "device_model": "iPhone 16 Pro",
            "network": "5G",
            "locale": "zh-CN",
            "screenshots": [
                {
                    "url": "https://feedback-cdn.example.cn/fb/01JDB7K2/crash.jpg",
                    "content_type": "image/jpeg",
                    "size": 243118,
                }
            ],
            "category_hint": "闪退/卡顿",
            "order_id": "LG202611190835",
            "submitted_at": "2026-11-22T08:47:19+08:00",
        },
        {
            "feedback_id": "fb_01JDB9QX4M2V7C8B0N3K5J6H1G",
            "user_id": "u_55810022",
            "email": "alex.chen@example.com",
            "text": "I was charged twice (¥199.00 each) for the annual membership. Please refund one.",
            "app_version": "5.2.1 (5210)",
            "os": "Android 15",
            "device_model": "Pixel 9",
            "network": "wifi",
            "locale": "en-US",
            "category_hint": "Payment",
            "submitted_at": "2026-11-22T01:05:00Z",
        },
    )

    def _identities(self) -> list[IdentityIn]:
        given = [
            (IdentityKind.app_user_id, self.user_id),
            (IdentityKind.phone, self.phone),
            (IdentityKind.email, self.email),
        ]
        return [IdentityIn(kind=kind, value=value) for kind, value in given if value]

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.feedback_id,
            received_at=self.submitted_at,
            body=self.text,
            language=self.locale.replace("_", "-") if self.locale else None,
            identities=self._identities(),
            attachments=[
                attachment_from_url(s.url, content_type=s.content_type, size=s.size) for s in self.screenshots
            ],
            order_id=self.order_id,
            app_version=self.app_version,
            channel_data=compact(
                os=self.os,
                device_model=self.device_model,
                network=self.network,
                category_hint=self.category_hint,
            ),
        )
