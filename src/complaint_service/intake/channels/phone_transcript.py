"""Hotline calls as the call-centre / IVR platform exports them: call metadata plus the transcript."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.fields import (
    BODY_MAX,
    NAIVE_TZ_NOTE,
    ExternalId,
    Phone,
    Timestamp,
    Url,
    attachment_from_url,
    compact,
    payload_config,
)
from complaint_service.models.enums import Channel, IdentityKind

TurnText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class CallTurn(Schema):
    speaker: Literal["caller", "agent", "ivr"] = Field(
        description="Who spoke: the customer, the agent or the IVR."
    )
    text: TurnText = Field(description="What was said (speech-to-text).")
    start_offset_seconds: float | None = Field(
        default=None, ge=0, description="Seconds from the start of the call."
    )


class PhoneTranscriptPayload(ChannelPayload):
    """One finished hotline call."""

    channel: ClassVar[Channel] = Channel.phone_transcript

    call_id: ExternalId = Field(
        description="Call id in the call-centre platform; the complaint's external id."
    )
    caller_number: Phone | None = Field(
        default=None,
        description="Customer's number as the switch saw it, any format; omit when the caller withheld it.",
    )
    called_number: Phone | None = Field(
        default=None, description="Hotline number dialled, e.g. `400-820-8820`."
    )
    agent_id: str | None = Field(default=None, max_length=64, description="Agent's id in the call centre.")
    agent_name: str | None = Field(default=None, max_length=100)
    started_at: Timestamp = Field(description="When the call was answered. " + NAIVE_TZ_NOTE)
    ended_at: Timestamp | None = Field(default=None, description="When the call ended. " + NAIVE_TZ_NOTE)
    duration_seconds: int | None = Field(default=None, ge=0, le=86_400)
    turns: list[CallTurn] = Field(
        default_factory=list, max_length=1000, description="The conversation in order of speaking."
    )
    ivr_path: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list,
        max_length=20,
        description='IVR menu choices, in order, e.g. `["2 售后", "3 投诉"]`.',
    )
    recording_url: Url | None = Field(default=None, description="Where the call recording can be fetched.")
    summary: str | None = Field(
        default=None, max_length=5000, description="Agent's wrap-up note or the platform's call summary."
    )

    model_config = payload_config(
        {
            "call_id": "CC20261122-0930-88412",
            "caller_number": "+86 138 1234 5678",
            "called_number": "400-820-8820",
            "agent_id": "A1037",
            "agent_name": "王婷",
            "started_at": "2026-11-22T09:30:04+08:00",
            "ended_at": "2026-11-22T09:36:51+08:00",
            "duration_seconds": 407,
            "ivr_path": ["2 售后服务", "3 投诉与建议"],
            "turns": [
                {
                    "speaker": "ivr",
                    "text": "您好，欢迎致电乐购商城，售后服务请按2。",
                    "start_offset_seconds": 0,
                },
                {
                    "speaker": "agent",
                    "text": "您好，工号1037为您服务，请问有什么可以帮您？",
                    "start_offset_seconds": 21.5,
                },
                {
                    "speaker": "caller",
                    "text": "我昨天买的会员被重复扣款了，两笔都是199块。",
                    "start_offset_seconds": 26.0,
                },
                {"speaker": "agent", "text": "好的，我帮您查一下订单。", "start_offset_seconds": 33.2},
                {
                    "speaker": "caller",
                    "text": "麻烦尽快退回来，订单号是LG202611210127。",
                    "start_offset_seconds": 40.8,
                },
            ],
            "recording_url": "https://recordings.callcenter.example.cn/2026/11/22/CC20261122-0930-88412.mp3",
            "summary": "客户反映会员费重复扣款¥199.00，已提交财务核实退款。",
        },
        {
            "call_id": "7f3b2c10-9d2e-4c4b-a4f7-0b5e8d9c1a22",
            "caller_number": "+1 415 555 0134",
            "started_at": "2026-11-22T02:10:00Z",
            "turns": [
                {
                    "speaker": "caller",
                    "text": "The app crashes every time I open my orders since the 5.2.1 update.",
                },
                {"speaker": "agent", "text": "Sorry about that, I have logged it with our engineers."},
            ],
        },
    )

    @model_validator(mode="after")
    def _has_content(self) -> Self:
        if not self.turns and not self.summary:
            raise ValueError("a call needs at least one transcript turn or a summary")
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        if len(self._body()) > BODY_MAX:
            raise ValueError(f"the complaint text exceeds {BODY_MAX} characters")
        return self

    def _transcript(self) -> str:
        return "\n".join(f"{turn.speaker}: {turn.text}" for turn in self.turns)

    def _body(self) -> str:
        """The customer's own words; without any, the agent's summary, then whatever was said."""
        caller = "\n".join(turn.text for turn in self.turns if turn.speaker == "caller")
        return caller or self.summary or self._transcript()

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(
            channel=self.channel,
            external_id=self.call_id,
            received_at=self.started_at,
            body=self._body(),
            identities=[IdentityIn(kind=IdentityKind.phone, value=self.caller_number)]
            if self.caller_number
            else [],
            attachments=([attachment_from_url(self.recording_url)] if self.recording_url else []),
            channel_data=compact(
                transcript=self._transcript(),
                summary=self.summary,
                called_number=self.called_number,
                agent_id=self.agent_id,
                agent_name=self.agent_name,
                ended_at=self.ended_at,
                duration_seconds=self.duration_seconds,
                ivr_path=self.ivr_path,
            ),
        )
