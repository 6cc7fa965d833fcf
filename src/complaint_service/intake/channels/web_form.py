"""Submissions of the complaint form on our website."""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import Field, model_validator

from complaint_service.intake.channels.base import Attachment, ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    NAIVE_TZ_NOTE,
    Body,
    Currency,
    Email,
    ExternalId,
    Money,
    Phone,
    Timestamp,
    Url,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind


class WebFormPayload(ChannelPayload):
    """One submitted complaint form; the customer must leave a phone number or an e-mail address."""

    channel: ClassVar[Channel] = Channel.web_form

    submission_id: ExternalId = Field(description="Id of this submission; the complaint's external id.")
    form_id: str | None = Field(
        default=None, max_length=64, description="Which form was used, e.g. `complaint-v2`."
    )
    name: str | None = Field(default=None, max_length=100, description="Name the customer typed.")
    phone: Phone | None = Field(default=None, description="Phone the customer typed, any format.")
    email: Email | None = Field(default=None, description="E-mail the customer typed.")
    subject: str | None = Field(default=None, max_length=200)
    message: Body = Field(description="The complaint as the customer wrote it.")
    order_id: str | None = Field(default=None, max_length=128)
    product_sku: str | None = Field(default=None, max_length=128)
    amount: Money | None = Field(
        default=None, description="Disputed amount, at most two decimals, e.g. `199.00`.", examples=["199.00"]
    )
    currency: Currency | None = Field(
        default=None,
        description="ISO 4217 code of `amount` (default `CNY`); ignored when there is no amount.",
    )
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    submitted_at: Timestamp | None = Field(
        default=None, description="When the form was sent; omitted means on receipt. " + NAIVE_TZ_NOTE
    )
    page_url: Url | None = Field(default=None, description="Page the form was submitted from.")
    consent: bool = Field(
        default=False, description="The customer agreed to be contacted and to have their data processed."
    )

    model_config = payload_config(
        {
            "submission_id": "wf-2026112210422315",
            "form_id": "complaint-v2",
            "name": "李娜",
            "phone": "+86 139 1234 5678",
            "email": "lina@example.cn",
            "subject": "会员费重复扣款",
            "message": "11月21日开通年度会员，银行卡被扣了两次¥199.00，请退还多扣的一笔。",
            "order_id": "LG202611210127",
            "amount": "199.00",
            "currency": "CNY",
            "attachments": [
                {
                    "name": "银行扣款短信.jpg",
                    "content_type": "image/jpeg",
                    "size": 96512,
                    "url": "https://uploads.example.cn/forms/wf-2026112210422315/1.jpg",
                }
            ],
            "submitted_at": "2026-11-22T10:42:23+08:00",
            "page_url": "https://www.example.cn/help/complaint",
            "consent": True,
        },
        {
            "submission_id": "wf-2026112217300951",
            "name": "James Miller",
            "email": "james.miller@example.com",
            "subject": "Damaged blender",
            "message": "The blender I received yesterday has a cracked jar. I would like a replacement.",
            "order_id": "LG202611180044",
            "product_sku": "KB-BL-600-WH",
            "amount": 459,
            "consent": True,
        },
    )

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.phone is None and self.email is None:
            raise ValueError("a phone number or an e-mail address is required")
        return self

    def _identities(self) -> list[IdentityIn]:
        given = [(IdentityKind.phone, self.phone), (IdentityKind.email, self.email)]
        return [IdentityIn(kind=kind, value=value) for kind, value in given if value]

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.submission_id,
            received_at=self.submitted_at,
            subject=self.subject,
            body=self.message,
            author=self.name,
            customer_name=self.name,
            identities=self._identities(),
            attachments=self.attachments,
            order_id=self.order_id,
            product_sku=self.product_sku,
            amount=self.amount,
            currency=(self.currency or "CNY") if self.amount is not None else None,
            channel_data=compact(form_id=self.form_id, page_url=self.page_url, consent=self.consent),
        )
