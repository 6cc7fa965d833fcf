"""Live-chat sessions as the chat platform exports them once closed (Meiqia, Zendesk Chat style)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import Attachment, ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    BODY_MAX,
    NAIVE_TZ_NOTE,
    Email,
    ExternalId,
    Phone,
    Timestamp,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind


class ChatVisitor(Schema):
    id: ExternalId = Field(description="Visitor id in the chat platform (not a customer identity).")
    name: str | None = Field(
        default=None, max_length=100, description="Name from the pre-chat form or the platform's nickname."
    )
    phone: Phone | None = Field(default=None, description="Phone the visitor gave, any format.")
    email: Email | None = Field(default=None, description="E-mail the visitor gave.")
    app_user_id: ExternalId | None = Field(
        default=None, description="Our app's user id, when the chat was opened from a logged-in app session."
    )


class ChatMessage(Schema):
    sender: Literal["visitor", "agent", "bot"] = Field(alias="from", description="Who wrote the message.")
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = Field(
        default="", description="Message text; may be empty when the message is only attachments."
    )
    sent_at: Timestamp = Field(description="When it was sent. " + NAIVE_TZ_NOTE)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.text and not self.attachments:
            raise ValueError("a message needs text or attachments")
        return self


class LiveChatPayload(ChannelPayload):
    """One chat session between a visitor and agents or a bot."""

    channel: ClassVar[Channel] = Channel.live_chat

    session_id: ExternalId = Field(description="Chat session id; the complaint's external id.")
    visitor: ChatVisitor
    started_at: Timestamp = Field(description="When the session opened. " + NAIVE_TZ_NOTE)
    ended_at: Timestamp | None = Field(default=None, description="When it closed. " + NAIVE_TZ_NOTE)
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000, description="Messages in order.")
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20, description="Tags the agent put on the session."
    )

    model_config = payload_config(
        {
            "session_id": "mq-20261122-5521987",
            "visitor": {
                "id": "v_8c1d2e",
                "name": "陈先生",
                "phone": "13812345678",
                "app_user_id": "u_10293847",
            },
            "started_at": "2026-11-22T14:02:11+08:00",
            "ended_at": "2026-11-22T14:09:40+08:00",
            "messages": [
                {
                    "from": "bot",
                    "text": "您好，我是智能客服小乐，请问有什么可以帮您？",
                    "sent_at": "2026-11-22T14:02:11+08:00",
                },
                {
                    "from": "visitor",
                    "text": "我的快递三天没更新了，订单号LG202611190835",
                    "sent_at": "2026-11-22T14:02:40+08:00",
                },
                {
                    "from": "agent",
                    "text": "您好，我帮您联系快递站点核实。",
                    "sent_at": "2026-11-22T14:03:15+08:00",
                },
                {
                    "from": "visitor",
                    "text": "这是物流截图",
                    "sent_at": "2026-11-22T14:03:58+08:00",
                    "attachments": [
                        {
                            "name": "物流截图.png",
                            "content_type": "image/png",
                            "size": 182044,
                            "url": "https://chat-files.example.cn/mq/5521987/1.png",
                        }
                    ],
                },
            ],
            "tags": ["物流", "催单"],
        },
        {
            "session_id": "zd-chat-99310442",
            "visitor": {"id": "visitor-4410", "name": "Mandy Wong", "email": "Mandy.Wong@example.com.hk"},
            "started_at": "2026-11-22 20:15:00",
            "messages": [
                {
                    "from": "visitor",
                    "text": "我的帳戶被盜了，有人用我的積分換了禮品卡！",
                    "sent_at": "2026-11-22 20:15:07",
                },
                {
                    "from": "agent",
                    "text": "請您先修改密碼，我們會立即凍結帳戶。",
                    "sent_at": "2026-11-22 20:16:30",
                },
            ],
        },
    )

    @model_validator(mode="after")
    def _body_fits(self) -> Self:
        if not self._body():
            raise ValueError("the session holds no text at all")
        if len(self._body()) > BODY_MAX:
            raise ValueError(f"the complaint text exceeds {BODY_MAX} characters")
        return self

    def _transcript(self) -> str:
        return "\n".join(f"{m.sender}: {m.text}" for m in self.messages if m.text)

    def _body(self) -> str:
        """What the visitor wrote; a visitor who only sent files leaves the whole conversation as text."""
        visitor = "\n".join(m.text for m in self.messages if m.sender == "visitor" and m.text)
        return visitor or self._transcript()

    def _identities(self) -> list[IdentityIn]:
        given = [
            (IdentityKind.phone, self.visitor.phone),
            (IdentityKind.email, self.visitor.email),
            (IdentityKind.app_user_id, self.visitor.app_user_id),
        ]
        return [IdentityIn(kind=kind, value=value) for kind, value in given if value]

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.session_id,
            received_at=self.started_at,
            body=self._body(),
            author=self.visitor.name,
            customer_name=self.visitor.name,
            identities=self._identities(),
            attachments=[a for m in self.messages if m.sender == "visitor" for a in m.attachments],
            tags=self.tags,
            channel_data=compact(
                transcript=self._transcript(),
                visitor_id=self.visitor.id,
                ended_at=self.ended_at,
                message_count=len(self.messages),
            ),
        )
