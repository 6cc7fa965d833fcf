"""Tests for the JSON channel payloads: their OpenAPI examples, their drafts and what they refuse."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from complaint_service.intake.channels.app_feedback import AppFeedbackPayload
from complaint_service.intake.channels.base import Attachment, ChannelPayload, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.live_chat import LiveChatPayload
from complaint_service.intake.channels.phone_transcript import PhoneTranscriptPayload
from complaint_service.intake.channels.registry import JSON_PAYLOADS
from complaint_service.intake.channels.sms import SmsPayload
from complaint_service.intake.channels.store_visit import StoreVisitPayload
from complaint_service.intake.channels.web_form import WebFormPayload
from complaint_service.intake.channels.weibo import WeiboPayload
from complaint_service.models.enums import Channel, IdentityKind

CST = timezone(timedelta(hours=8))
SHANGHAI = ZoneInfo("Asia/Shanghai")


def examples(payload: type[ChannelPayload]) -> list[dict[str, Any]]:
    extra = payload.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    found = extra["examples"]
    assert isinstance(found, list)
    assert all(isinstance(example, dict) for example in found)
    return copy.deepcopy(cast(list[dict[str, Any]], found))


def draft(payload: type[ChannelPayload], raw: dict[str, Any]) -> ComplaintDraft:
    result = payload.model_validate(raw).to_draft()
    assert result.channel is payload.channel
    return result


def aware(moment: datetime | None) -> bool:
    return moment is not None and moment.utcoffset() is not None


class TestWeiboPayload:
    def test_mention_example_maps_to_draft(self) -> None:
        result = draft(WeiboPayload, examples(WeiboPayload)[0])

        assert result.channel is Channel.weibo
        assert result.external_id == "5105723196491853"
        assert result.received_at == datetime(2026, 11, 22, 10, 30, tzinfo=CST)
        assert aware(result.received_at)
        assert result.body.startswith("@乐购商城客服 我19号下的单，快递三天没更新了")
        assert result.author == "小鹿今天不加班"
        assert result.identities == [IdentityIn(kind=IdentityKind.weibo_uid, value="5623198870")]
        assert result.attachments == [
            Attachment(
                name="006Xq8Ygly1hw3k2s9f0aj30u01hcq8b.jpg",
                content_type="image/jpeg",
                url="https://wx1.sinaimg.cn/thumbnail/006Xq8Ygly1hw3k2s9f0aj30u01hcq8b.jpg",
            )
        ]
        assert result.channel_data["type"] == "mention"
        assert result.channel_data["followers_count"] == 1284
        assert result.thread_refs == []

    def test_comment_example_points_at_the_commented_post(self) -> None:
        result = draft(WeiboPayload, examples(WeiboPayload)[1])

        assert result.external_id == "5105731140862210"
        assert result.identities == [IdentityIn(kind=IdentityKind.weibo_uid, value="7716350244")]
        assert result.thread_refs == ["5105690012334521"]
        assert "重复扣款 ¥199.00" in result.body
        assert result.received_at == datetime(2026, 11, 22, 11, 2, 45, tzinfo=CST)

    @pytest.mark.parametrize(
        ("created_at", "expected"),
        [
            ("Sun Nov 22 10:30:00 +0800 2026", datetime(2026, 11, 22, 2, 30, tzinfo=UTC)),
            ("Sat Nov 21 23:59:59 -0500 2026", datetime(2026, 11, 22, 4, 59, 59, tzinfo=UTC)),
            ("2026-11-22T02:30:00Z", datetime(2026, 11, 22, 2, 30, tzinfo=UTC)),
            ("2026-11-22 10:30:00", datetime(2026, 11, 22, 2, 30, tzinfo=UTC)),
        ],
    )
    def test_weibo_and_iso_dates_parse_to_aware_times(self, created_at: str, expected: datetime) -> None:
        raw = examples(WeiboPayload)[0] | {"created_at": created_at}

        parsed = WeiboPayload.model_validate(raw).created_at

        assert aware(parsed)
        assert parsed == expected

    def test_numeric_ids_beyond_js_safe_integers_stay_exact(self) -> None:
        json = (
            '{"type": "direct_message", "id": 5105723196491853999,'
            ' "created_at": "Sun Nov 22 10:30:00 +0800 2026", "text": "在吗？退款呢",'
            ' "user": {"uid": 7716350244123, "screen_name": "Echo"}}'
        )

        payload = WeiboPayload.model_validate_json(json)

        assert payload.id == "5105723196491853999"
        assert payload.user.id == "7716350244123"

    def test_pictures_prefer_the_largest_size_and_accept_pics(self) -> None:
        raw = examples(WeiboPayload)[0]
        del raw["pic_urls"]
        raw["pics"] = [
            {
                "thumbnail_pic": "https://wx1.sinaimg.cn/thumbnail/a.jpg",
                "original_pic": "https://wx1.sinaimg.cn/large/a.jpg",
            }
        ]

        result = draft(WeiboPayload, raw)

        assert [a.url for a in result.attachments] == ["https://wx1.sinaimg.cn/large/a.jpg"]

    @pytest.mark.parametrize(
        "change",
        [
            {"type": "repost"},
            {"created_at": "22/11/2026 10:30"},
            {"text": "   "},
            {"text": "闪退\x00了"},
            {"text": "投" * 20_001},
            {"id": True},
            {"user": {"screen_name": "没有uid"}},
            {"pic_urls": [{"thumbnail_pic": "javascript:alert(1)"}]},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            WeiboPayload.model_validate(examples(WeiboPayload)[0] | change)

    def test_missing_text_is_refused(self) -> None:
        raw = examples(WeiboPayload)[0]
        del raw["text"]

        with pytest.raises(ValidationError, match="text"):
            WeiboPayload.model_validate(raw)


class TestSmsPayload:
    def test_aliyun_example_maps_to_draft(self) -> None:
        result = draft(SmsPayload, examples(SmsPayload)[0])

        assert result.channel is Channel.sms
        assert result.external_id == "1872305512"
        assert result.received_at == datetime(2026, 11, 22, 9, 15, 32, tzinfo=SHANGHAI)
        assert aware(result.received_at)
        assert result.body == "你们的快递三天没更新了，订单LG202611190835到底发没发货？请尽快回复。"
        assert result.identities == [IdentityIn(kind=IdentityKind.phone, value="13812345678")]
        assert result.channel_data == {
            "sequence_id": "1872305512",
            "dest_code": "1069",
            "sign_name": "乐购商城",
        }

    def test_tencent_example_keeps_its_country_code_and_unix_time(self) -> None:
        result = draft(SmsPayload, examples(SmsPayload)[1])

        assert result.external_id == "tc-sms-up-8a3f1e0c77d2"
        assert result.identities == [IdentityIn(kind=IdentityKind.phone, value="+86 13912345678")]
        assert result.received_at == datetime(2026, 11, 22, 9, 15, 32, tzinfo=CST)

    @pytest.mark.parametrize(
        "number", ["+86 138 1234 5678", "13812345678", "008613812345678", "(852) 9123-4567"]
    )
    def test_phone_numbers_pass_through_unnormalized(self, number: str) -> None:
        raw = examples(SmsPayload)[0] | {"phone_number": number}

        assert draft(SmsPayload, raw).identities == [IdentityIn(kind=IdentityKind.phone, value=number)]

    def test_msg_id_wins_over_sequence_id(self) -> None:
        raw = examples(SmsPayload)[0] | {"msg_id": "up-77120"}

        assert draft(SmsPayload, raw).external_id == "up-77120"

    @pytest.mark.parametrize(
        "change",
        [
            {"phone_number": "1234"},
            {"phone_number": "call me maybe"},
            {"phone_number": 13812345678},
            {"content": "退款\x00"},
            {"content": "退" * 2001},
            {"send_time": "yesterday"},
            {"sequence_id": None},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            SmsPayload.model_validate(examples(SmsPayload)[0] | change)


class TestPhoneTranscriptPayload:
    def test_example_body_holds_only_the_callers_turns(self) -> None:
        result = draft(PhoneTranscriptPayload, examples(PhoneTranscriptPayload)[0])

        assert result.channel is Channel.phone_transcript
        assert result.external_id == "CC20261122-0930-88412"
        assert (
            result.body
            == "我昨天买的会员被重复扣款了，两笔都是199块。\n麻烦尽快退回来，订单号是LG202611210127。"
        )
        assert "工号1037" not in result.body
        assert result.received_at == datetime(2026, 11, 22, 9, 30, 4, tzinfo=CST)
        assert result.identities == [IdentityIn(kind=IdentityKind.phone, value="+86 138 1234 5678")]
        assert result.attachments == [
            Attachment(
                name="CC20261122-0930-88412.mp3",
                content_type="audio/mpeg",
                url="https://recordings.callcenter.example.cn/2026/11/22/CC20261122-0930-88412.mp3",
            )
        ]
        transcript = result.channel_data["transcript"]
        assert transcript.splitlines()[0] == "ivr: 您好，欢迎致电乐购商城，售后服务请按2。"
        assert "agent: 您好，工号1037为您服务，请问有什么可以帮您？" in transcript
        assert "caller: 我昨天买的会员被重复扣款了，两笔都是199块。" in transcript
        assert result.channel_data["ended_at"] == "2026-11-22T09:36:51+08:00"

    def test_english_example_maps_to_draft(self) -> None:
        result = draft(PhoneTranscriptPayload, examples(PhoneTranscriptPayload)[1])

        assert result.body == "The app crashes every time I open my orders since the 5.2.1 update."
        assert result.received_at == datetime(2026, 11, 22, 2, 10, tzinfo=UTC)
        assert result.attachments == []

    def test_without_caller_turns_the_summary_is_the_body(self) -> None:
        raw = examples(PhoneTranscriptPayload)[0]
        raw["turns"] = [t for t in raw["turns"] if t["speaker"] != "caller"]

        assert (
            draft(PhoneTranscriptPayload, raw).body == "客户反映会员费重复扣款¥199.00，已提交财务核实退款。"
        )

    def test_without_caller_turns_or_summary_the_transcript_is_the_body(self) -> None:
        raw = examples(PhoneTranscriptPayload)[0]
        raw["turns"] = [t for t in raw["turns"] if t["speaker"] != "caller"]
        del raw["summary"]

        result = draft(PhoneTranscriptPayload, raw)

        assert result.body == result.channel_data["transcript"]
        assert result.body.startswith("ivr: 您好，欢迎致电乐购商城")

    def test_summary_alone_is_enough_and_a_withheld_number_gives_no_identity(self) -> None:
        raw = {
            "call_id": "CC20261122-2210-00031",
            "started_at": "2026-11-22 22:10:00",
            "summary": "來電客戶投訴門市店員態度惡劣，要求主管回電。",
        }

        result = draft(PhoneTranscriptPayload, raw)

        assert result.body == "來電客戶投訴門市店員態度惡劣，要求主管回電。"
        assert result.identities == []
        assert result.received_at == datetime(2026, 11, 22, 22, 10, tzinfo=SHANGHAI)
        assert "transcript" not in result.channel_data

    @pytest.mark.parametrize(
        "change",
        [
            {"turns": [], "summary": None},
            {"turns": [{"speaker": "customer", "text": "我要投诉"}]},
            {"turns": [{"speaker": "caller", "text": "重复\x00扣款"}]},
            {"turns": [{"speaker": "caller", "text": "扣" * 4001}]},
            {"turns": [{"speaker": "caller", "text": "扣" * 4000}] * 6},
            {"ended_at": "2026-11-22T09:00:00+08:00"},
            {"duration_seconds": -5},
            {"caller_number": "anonymous"},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            PhoneTranscriptPayload.model_validate(examples(PhoneTranscriptPayload)[0] | change)

    def test_missing_call_id_is_refused(self) -> None:
        raw = examples(PhoneTranscriptPayload)[0]
        del raw["call_id"]

        with pytest.raises(ValidationError, match="call_id"):
            PhoneTranscriptPayload.model_validate(raw)


class TestLiveChatPayload:
    def test_example_body_holds_the_visitors_messages(self) -> None:
        result = draft(LiveChatPayload, examples(LiveChatPayload)[0])

        assert result.channel is Channel.live_chat
        assert result.external_id == "mq-20261122-5521987"
        assert result.body == "我的快递三天没更新了，订单号LG202611190835\n这是物流截图"
        assert result.received_at == datetime(2026, 11, 22, 14, 2, 11, tzinfo=CST)
        assert result.identities == [
            IdentityIn(kind=IdentityKind.phone, value="13812345678"),
            IdentityIn(kind=IdentityKind.app_user_id, value="u_10293847"),
        ]
        assert result.customer_name == "陈先生"
        assert [a.name for a in result.attachments] == ["物流截图.png"]
        assert result.tags == ["物流", "催单"]
        transcript = result.channel_data["transcript"]
        assert transcript.splitlines()[0] == "bot: 您好，我是智能客服小乐，请问有什么可以帮您？"
        assert "agent: 您好，我帮您联系快递站点核实。" in transcript
        assert result.channel_data["visitor_id"] == "v_8c1d2e"

    def test_traditional_chinese_example_with_naive_times(self) -> None:
        result = draft(LiveChatPayload, examples(LiveChatPayload)[1])

        assert result.body == "我的帳戶被盜了，有人用我的積分換了禮品卡！"
        assert result.identities == [IdentityIn(kind=IdentityKind.email, value="Mandy.Wong@example.com.hk")]
        assert result.received_at == datetime(2026, 11, 22, 20, 15, tzinfo=SHANGHAI)
        assert aware(result.received_at)

    def test_agent_attachments_are_not_the_customers(self) -> None:
        raw = examples(LiveChatPayload)[1]
        raw["messages"].append(
            {
                "from": "agent",
                "sent_at": "2026-11-22 20:17:00",
                "attachments": [{"name": "改密碼教學.pdf", "url": "https://chat-files.example.cn/guide.pdf"}],
            }
        )

        assert draft(LiveChatPayload, raw).attachments == []

    @pytest.mark.parametrize(
        "change",
        [
            {"messages": []},
            {"messages": [{"from": "customer", "text": "退款", "sent_at": "2026-11-22 20:15:07"}]},
            {"messages": [{"from": "visitor", "sent_at": "2026-11-22 20:15:07"}]},
            {"messages": [{"from": "visitor", "text": "退款\x00", "sent_at": "2026-11-22 20:15:07"}]},
            {"visitor": {"id": "v1", "email": "not-an-email"}},
            {"visitor": {"id": "v1", "name": "陳\x00小姐"}},
            {"tags": ["x" * 51]},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            LiveChatPayload.model_validate(examples(LiveChatPayload)[0] | change)

    def test_visitor_text_beyond_the_body_limit_is_refused(self) -> None:
        raw = examples(LiveChatPayload)[1]
        raw["messages"] = [{"from": "visitor", "text": "慢" * 5000, "sent_at": "2026-11-22 20:15:07"}] * 5

        with pytest.raises(ValidationError, match="20000"):
            LiveChatPayload.model_validate(raw)


class TestAppFeedbackPayload:
    def test_crash_example_maps_to_draft(self) -> None:
        result = draft(AppFeedbackPayload, examples(AppFeedbackPayload)[0])

        assert result.channel is Channel.app_feedback
        assert result.external_id == "fb_01JDB7K2Q9XW3M5N8R4T6Y1Z0A"
        assert "闪退" in result.body
        assert result.app_version == "5.2.1"
        assert result.language == "zh-CN"
        assert result.order_id == "LG202611190835"
        assert result.received_at == datetime(2026, 11, 22, 8, 47, 19, tzinfo=CST)
        assert result.identities == [
            IdentityIn(kind=IdentityKind.app_user_id, value="u_10293847"),
            IdentityIn(kind=IdentityKind.phone, value="138 1234 5678"),
        ]
        assert result.attachments == [
            Attachment(
                name="crash.jpg",
                content_type="image/jpeg",
                size=243118,
                url="https://feedback-cdn.example.cn/fb/01JDB7K2/crash.jpg",
            )
        ]
        assert result.channel_data == {
            "os": "iOS 18.1",
            "device_model": "iPhone 16 Pro",
            "network": "5G",
            "category_hint": "闪退/卡顿",
        }

    def test_english_example_maps_to_draft(self) -> None:
        result = draft(AppFeedbackPayload, examples(AppFeedbackPayload)[1])

        assert result.identities == [
            IdentityIn(kind=IdentityKind.app_user_id, value="u_55810022"),
            IdentityIn(kind=IdentityKind.email, value="alex.chen@example.com"),
        ]
        assert result.app_version == "5.2.1 (5210)"
        assert result.channel_data["os"] == "Android 15"
        assert result.received_at == datetime(2026, 11, 22, 1, 5, tzinfo=UTC)

    def test_android_locale_becomes_a_language_tag(self) -> None:
        raw = examples(AppFeedbackPayload)[1] | {"locale": "zh_TW", "text": "更新5.2.1後一直閃退，無法登入。"}

        assert draft(AppFeedbackPayload, raw).language == "zh-TW"

    @pytest.mark.parametrize(
        "change",
        [
            {"locale": "Chinese (Simplified)"},
            {"user_id": ""},
            {"text": ""},
            {"text": "卡" * 20_001},
            {"text": "閃退\x00"},
            {"app_version": "5" * 65},
            {"screenshots": [{"url": "file:///sdcard/crash.jpg"}]},
            {"screenshots": [{"url": "https://cdn.example.cn/a.jpg"}] * 11},
            {"submitted_at": None},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            AppFeedbackPayload.model_validate(examples(AppFeedbackPayload)[0] | change)


class TestWebFormPayload:
    def test_double_charge_example_maps_to_draft(self) -> None:
        result = draft(WebFormPayload, examples(WebFormPayload)[0])

        assert result.channel is Channel.web_form
        assert result.external_id == "wf-2026112210422315"
        assert result.subject == "会员费重复扣款"
        assert result.amount == Decimal("199.00")
        assert result.currency == "CNY"
        assert result.customer_name == "李娜"
        assert result.received_at == datetime(2026, 11, 22, 10, 42, 23, tzinfo=CST)
        assert result.identities == [
            IdentityIn(kind=IdentityKind.phone, value="+86 139 1234 5678"),
            IdentityIn(kind=IdentityKind.email, value="lina@example.cn"),
        ]
        assert [a.name for a in result.attachments] == ["银行扣款短信.jpg"]
        assert result.channel_data == {
            "form_id": "complaint-v2",
            "page_url": "https://www.example.cn/help/complaint",
            "consent": True,
        }

    def test_english_example_defaults_the_currency_to_cny(self) -> None:
        result = draft(WebFormPayload, examples(WebFormPayload)[1])

        assert result.amount == Decimal("459")
        assert result.currency == "CNY"
        assert result.product_sku == "KB-BL-600-WH"
        assert result.identities == [IdentityIn(kind=IdentityKind.email, value="james.miller@example.com")]
        assert result.received_at is None

    def test_currency_is_upper_cased_and_dropped_without_an_amount(self) -> None:
        with_amount = examples(WebFormPayload)[0] | {"currency": "hkd", "amount": "88.5"}
        without_amount = examples(WebFormPayload)[0] | {"currency": "USD", "amount": None}

        assert draft(WebFormPayload, with_amount).currency == "HKD"
        assert draft(WebFormPayload, without_amount).currency is None

    @pytest.mark.parametrize(
        "change",
        [
            {"phone": None, "email": None},
            {"amount": "199.999"},
            {"amount": "-1.00"},
            {"amount": "一百"},
            {"currency": "RMB1"},
            {"message": "扣款\x00"},
            {"message": "款" * 20_001},
            {"consent": "maybe"},
            {"email": "lina at example.cn"},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            WebFormPayload.model_validate(examples(WebFormPayload)[0] | change)


class TestStoreVisitPayload:
    def test_example_maps_to_draft(self) -> None:
        result = draft(StoreVisitPayload, examples(StoreVisitPayload)[0])

        assert result.channel is Channel.store_visit
        assert result.external_id == "SV-SH-XH-012-20261122-0031"
        assert "内胆涂层脱落" in result.body
        assert result.customer_name == "张女士"
        assert result.identities == [IdentityIn(kind=IdentityKind.phone, value="021-6488 1234")]
        assert result.order_id == "POS-012-20261115-0457"
        assert result.product_sku == "KB-RC-300-SL"
        assert result.received_at == datetime(2026, 11, 22, 15, 20, tzinfo=SHANGHAI)
        assert aware(result.received_at)
        assert [a.content_type for a in result.attachments] == ["image/jpeg"]
        assert result.channel_data == {
            "store_id": "SH-XH-012",
            "store_name": "乐购生活馆 上海徐汇店",
            "staff_id": "E20931",
        }

    def test_customer_who_declines_a_phone_has_no_identity(self) -> None:
        raw = examples(StoreVisitPayload)[0] | {"customer_phone": None}

        assert draft(StoreVisitPayload, raw).identities == []

    @pytest.mark.parametrize(
        "change",
        [
            {"store_id": None},
            {"visited_at": None},
            {"description": "\x00"},
            {"description": "坏" * 20_001},
            {"photos": [{"url": "https://store-app.example.cn/1.jpg"}] * 21},
            {"photos": "https://store-app.example.cn/1.jpg"},
        ],
    )
    def test_invalid_payloads_are_refused(self, change: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            StoreVisitPayload.model_validate(examples(StoreVisitPayload)[0] | change)


class TestJsonPayloads:
    def test_covers_exactly_the_seven_json_channels(self) -> None:
        assert set(JSON_PAYLOADS) == {
            Channel.weibo,
            Channel.sms,
            Channel.phone_transcript,
            Channel.live_chat,
            Channel.app_feedback,
            Channel.web_form,
            Channel.store_visit,
        }

    def test_each_class_is_registered_under_its_own_channel(self) -> None:
        for channel, payload in JSON_PAYLOADS.items():
            assert payload.channel is channel

    @pytest.mark.parametrize("payload", list(JSON_PAYLOADS.values()), ids=lambda p: p.__name__)
    def test_every_example_validates_and_publishes_in_the_schema(self, payload: type[ChannelPayload]) -> None:
        schema_examples = payload.model_json_schema()["examples"]

        assert schema_examples
        for raw in schema_examples:
            result = payload.model_validate(raw).to_draft()
            assert result.body
            assert result.external_id
            assert result.received_at is None or aware(result.received_at)
