"""Which payload class validates each channel that posts JSON."""

from __future__ import annotations

from complaint_service.intake.channels.app_feedback import AppFeedbackPayload
from complaint_service.intake.channels.base import ChannelPayload
from complaint_service.intake.channels.live_chat import LiveChatPayload
from complaint_service.intake.channels.phone_transcript import PhoneTranscriptPayload
from complaint_service.intake.channels.sms import SmsPayload
from complaint_service.intake.channels.store_visit import StoreVisitPayload
from complaint_service.intake.channels.web_form import WebFormPayload
from complaint_service.intake.channels.weibo import WeiboPayload
from complaint_service.models.enums import Channel

JSON_PAYLOADS: dict[Channel, type[ChannelPayload]] = {
    payload.channel: payload
    for payload in (
        WeiboPayload,
        SmsPayload,
        PhoneTranscriptPayload,
        LiveChatPayload,
        AppFeedbackPayload,
        WebFormPayload,
        StoreVisitPayload,
    )
}
