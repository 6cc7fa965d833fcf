"""Inbound SMS as an SMS gateway's uplink callback (Aliyun SmsUp, Tencent Cloud reply) delivers it."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import AliasChoices, Field, StringConstraints, model_validator

from complaint_service.intake.channels.base import ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    NAIVE_TZ_NOTE,
    ExternalId,
    Phone,
    Timestamp,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind

SmsText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class SmsPayload(ChannelPayload):
    """One text message a customer sent to the brand's SMS number or replied to a notification with."""

    channel: ClassVar[Channel] = Channel.sms

    phone_number: Phone = Field(
        validation_alias=AliasChoices("phone_number", "mobile"),
        description="Sender's mobile number in any format (`+86 138 1234 5678`, `13812345678`, "
        "`008613812345678`); the intake service normalizes it. Tencent's `mobile` is accepted.",
    )
    nation_code: str | None = Field(
        default=None,
        pattern=r"^\d{1,4}$",
        validation_alias=AliasChoices("nation_code", "nationcode"),
        description="Country calling code sent apart from the number (Tencent `nationcode`, e.g. `86`).",
    )
    content: SmsText = Field(
        validation_alias=AliasChoices("content", "text"),
        description="Message text (long messages already reassembled by the gateway).",
    )
    send_time: Timestamp = Field(
        validation_alias=AliasChoices("send_time", "time"),
        description="When the customer sent it: ISO 8601, `2026-11-22 10:30:00`, or Unix seconds. "
        + NAIVE_TZ_NOTE,
    )
    msg_id: ExternalId | None = Field(default=None, description="Gateway message id, if it issues one.")
    sequence_id: ExternalId | None = Field(
        default=None,
        description="Uplink sequence number (Aliyun `sequence_id`); used when `msg_id` is absent.",
    )
    dest_code: str | None = Field(
        default=None,
        max_length=32,
        validation_alias=AliasChoices("dest_code", "extend"),
        description="Extension code the message was sent to; tells which campaign or template it answers.",
    )
    sign_name: str | None = Field(
        default=None,
        max_length=64,
        validation_alias=AliasChoices("sign_name", "sign"),
        description="SMS signature (签名) of the message being answered, e.g. `乐购商城`.",
    )

    model_config = payload_config(
        {
            "phone_number": "13812345678",
            "content": "你们的快递三天没更新了，订单LG202611190835到底发没发货？请尽快回复。",
            "send_time": "2026-11-22 09:15:32",
            "sequence_id": 1872305512,
            "dest_code": "1069",
            "sign_name": "乐购商城",
        },
        {
            "mobile": "13912345678",
            "nationcode": "86",
            "text": "退订。另外上个月被重复扣款199元至今没退，再不处理就投诉12315",
            "time": 1795310132,
            "msg_id": "tc-sms-up-8a3f1e0c77d2",
            "sign": "乐购商城",
        },
    )

    @model_validator(mode="after")
    def _has_message_id(self) -> Self:
        if self.msg_id is None and self.sequence_id is None:
            raise ValueError("msg_id or sequence_id is required: it is how a redelivered SMS is recognized")
        return self

    def _sender(self) -> str:
        """The number with its separate country code put in front, still unnormalized."""
        if self.nation_code and not self.phone_number.startswith(("+", "00")):
            return f"+{self.nation_code} {self.phone_number}"
        return self.phone_number

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.msg_id or self.sequence_id,
            received_at=self.send_time,
            body=self.content,
            identities=[IdentityIn(kind=IdentityKind.phone, value=self._sender())],
            channel_data=compact(
                msg_id=self.msg_id,
                sequence_id=self.sequence_id,
                dest_code=self.dest_code,
                sign_name=self.sign_name,
            ),
        )
