"""Raw RFC 822/MIME messages, as mail clients really send them, become complaint drafts."""

from __future__ import annotations

import base64
import email.policy
import hashlib
import quopri
import random
import urllib.parse
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import ComplaintDraft
from complaint_service.intake.channels.email import MAX_BODY_CHARS, normalize_email
from complaint_service.models.enums import Channel, ComplaintFlag, IdentityKind

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels" / "email"
SENDER = "From: =?utf-8?B?5byg5Lyf?= <Zhang.Wei@Example.CN>"
TO = "To: service@shop.example.com"
DATE = "Date: Fri, 20 Nov 2026 10:15:32 +0800"
MESSAGE_ID = "Message-ID: <c-1@example.cn>"
COMPLAINT_ZH = "我在11月18日购买的电饭煲收到时内胆凹陷，客服三天没有回复，请尽快退款。"


def b_word(text: str, charset: str, label: str | None = None) -> str:
    return f"=?{label or charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def q_word(text: str, charset: str) -> str:
    encoded = "".join(
        "_" if byte == 0x20 else chr(byte) if chr(byte).isalnum() and byte < 0x80 else f"={byte:02X}"
        for byte in text.encode(charset)
    )
    return f"=?{charset}?Q?{encoded}?="


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def mail(*headers: str | bytes, body: bytes | str = b"") -> bytes:
    """A raw message: header lines as given (str lines are ASCII), CRLF, a blank line, the body."""
    lines = [line if isinstance(line, bytes) else line.encode("ascii") for line in headers]
    payload = body.encode("ascii") if isinstance(body, str) else body
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


def text_mail(text: str, *headers: str, charset: str = "utf-8", subject: str = "Subject: complaint") -> bytes:
    return mail(
        SENDER,
        TO,
        DATE,
        MESSAGE_ID,
        subject,
        *headers,
        "MIME-Version: 1.0",
        f'Content-Type: text/plain; charset="{charset}"',
        "Content-Transfer-Encoding: base64",
        body=b64(crlf(text).encode(charset)),
    )


def multipart(subtype: str, boundary: str, *parts: bytes, headers: tuple[str, ...] = ()) -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return mail(
        SENDER,
        TO,
        DATE,
        MESSAGE_ID,
        "Subject: complaint",
        *headers,
        "MIME-Version: 1.0",
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"',
        body=b"This is a multi-part message in MIME format.\r\n\r\n"
        + body
        + b"--"
        + boundary.encode()
        + b"--\r\n",
    )


def part(content_type: str, payload: bytes, *headers: str, encoding: str = "base64") -> bytes:
    encoded = b64(payload) if encoding == "base64" else payload
    head = [f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {encoding}", *headers]
    return "\r\n".join(head).encode("ascii") + b"\r\n\r\n" + encoded


def no_nul_anywhere(draft: ComplaintDraft) -> bool:
    return "\x00" not in draft.model_dump_json().replace("\\u0000", "\x00")


class TestNormalizeEmail:
    def test_plain_utf8_mail_maps_onto_the_draft(self) -> None:
        raw = text_mail(COMPLAINT_ZH, "Reply-To: other.person@example.com", "Cc: Wife <Li.Na@Example.cn>")

        draft = normalize_email(raw)

        assert draft.channel is Channel.email
        assert draft.body == COMPLAINT_ZH
        assert draft.subject == "complaint"
        assert draft.external_id == "c-1@example.cn"
        assert draft.author == "zhang.wei@example.cn"
        assert draft.customer_name == "张伟"
        assert [(i.kind, i.value) for i in draft.identities] == [(IdentityKind.email, "zhang.wei@example.cn")]
        assert draft.received_at == datetime(2026, 11, 20, 2, 15, 32, tzinfo=UTC)
        assert draft.language is None
        assert draft.flags == []
        assert draft.channel_data["to"] == ["service@shop.example.com"]
        assert draft.channel_data["cc"] == ["li.na@example.cn"]
        assert draft.channel_data["reply_to"] == ["other.person@example.com"]
        assert "full_text" not in draft.channel_data
        assert "html_only" not in draft.channel_data

    @pytest.mark.parametrize(
        "encoded",
        [
            b_word("投诉：订单 DD2026 退款 – refund", "utf-8"),
            q_word("投诉：订单 DD2026 退款 – refund", "utf-8"),
        ],
        ids=["base64", "quoted-printable"],
    )
    def test_utf8_encoded_word_subject(self, encoded: str) -> None:
        draft = normalize_email(text_mail("body", subject=f"Subject: {encoded}"))

        assert draft.subject == "投诉：订单 DD2026 退款 – refund"

    def test_gb2312_label_on_a_gbk_character_decodes_as_gb18030(self) -> None:
        subject = "投诉：朱镕基路门店服务态度差（王堃）"
        with pytest.raises(UnicodeEncodeError):
            subject.encode("gb2312")
        raw = mail(
            f"From: {b_word('王堃', 'gb18030', 'gb2312')} <wang.kun@mail.example.cn>",
            f"Subject: {b_word(subject, 'gb18030', 'gb2312')}",
            MESSAGE_ID,
            body=b"hello",
        )

        draft = normalize_email(raw)

        assert draft.subject == subject
        assert draft.customer_name == "王堃"
        assert "gb2312" in draft.channel_data["charsets"]

    @pytest.mark.parametrize(
        ("label", "codec", "subject"),
        [
            ("GBK", "gbk", "投诉：镕喆犇的订单未发货"),
            ("x-gbk", "gbk", "投诉：镕喆犇的订单未发货"),
            ("cp936", "gbk", "投诉：镕喆犇的订单未发货"),
            ("gb_2312-80", "gbk", "投诉：镕喆犇的订单未发货"),
            ("GB18030", "gb18030", "投诉：㙍字用户的订单未发货"),
            ("big5", "big5", "投訴：訂單延誤，客服態度惡劣（陳玥昇）"),
        ],
    )
    def test_chinese_charsets_in_encoded_words(self, label: str, codec: str, subject: str) -> None:
        raw = text_mail("body", subject=f"Subject: {b_word(subject, codec, label)}")

        assert normalize_email(raw).subject == subject

    def test_multibyte_character_split_across_encoded_words(self) -> None:
        data = "退款申请".encode("gbk")
        first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
        raw = text_mail("body", subject=f"Subject: =?gbk?B?{first}?=\r\n =?gbk?B?{second}?= DD2026")

        assert normalize_email(raw).subject == "退款申请 DD2026"

    def test_unencoded_8bit_utf8_subject_and_name(self) -> None:
        raw = mail(
            "From: 张伟 <zhang.wei@example.cn>".encode(),
            "Subject: 退款申请：订单 DD2026".encode(),
            body=b"hello",
        )

        draft = normalize_email(raw)

        assert (draft.subject, draft.customer_name) == ("退款申请：订单 DD2026", "张伟")

    @pytest.mark.parametrize("label", ["GBK", "gb2312"])
    def test_quoted_printable_gbk_body(self, label: str) -> None:
        text = "朱镕基路门店的店员态度恶劣，\n拒绝为我办理退货。订单号 DD20261118001。\n"
        raw = mail(
            SENDER,
            MESSAGE_ID,
            f"Content-Type: text/plain; charset={label}",
            "Content-Transfer-Encoding: quoted-printable",
            body=quopri.encodestring(crlf(text).encode("gbk")),
        )

        assert normalize_email(raw).body == text.strip()

    def test_base64_utf8_body(self) -> None:
        assert normalize_email(text_mail(COMPLAINT_ZH)).body == COMPLAINT_ZH

    def test_big5_body(self) -> None:
        text = "您好，我的訂單已經延誤兩週，請盡快處理退款。陳玥昇"

        assert normalize_email(text_mail(text, charset="big5")).body == text

    def test_undecodable_bytes_become_replacement_characters(self) -> None:
        raw = mail(SENDER, "Content-Type: text/plain; charset=utf-8", body=b"refund \xff\xfe now \xe4\xb8")

        body = normalize_email(raw).body

        assert body.startswith("refund ")
        assert "now" in body
        assert "\ufffd" in body

    @pytest.mark.parametrize("plain_first", [True, False])
    def test_alternative_prefers_plain_text(self, plain_first: bool) -> None:
        plain = part('text/plain; charset="utf-8"', "纯文本版本：请退款。".encode())
        html = part('text/html; charset="utf-8"', "<p>HTML 版本：请退款。</p>".encode())
        parts = (plain, html) if plain_first else (html, plain)

        draft = normalize_email(multipart("alternative", "alt-1", *parts))

        assert draft.body == "纯文本版本：请退款。"
        assert "html_only" not in draft.channel_data

    def test_html_only_mail_becomes_readable_text(self) -> None:
        html = (
            "<html><head><style>p { color: red; }</style><script>track('open')</script></head><body>"
            "<p>客服您好，</p><p>我的账户被<b>重复扣费</b>两次，每次 299 元。</p>"
            '<div>1. 交易号 T20261119001<br>2. 交易号 T20261119002</div><p><a href="https://pay.example.cn/x">'
            '账单</a><img src="cid:logo" alt="logo"></p><table><tr><td>金额</td><td>299</td></tr></table>'
            "</body></html>"
        )
        raw = mail(SENDER, "Content-Type: text/html; charset=utf-8", body=html.encode())

        draft = normalize_email(raw)

        assert "<" not in draft.body
        assert ">" not in draft.body
        assert "color" not in draft.body
        assert "track" not in draft.body
        assert "https://" not in draft.body
        assert "重复扣费两次，每次 299 元" in draft.body
        assert "1. 交易号 T20261119001\n2. 交易号 T20261119002" in draft.body
        assert "金额 299" in draft.body
        assert draft.channel_data["html_only"] is True

    def test_html_charset_from_meta_when_mime_has_none(self) -> None:
        html = '<html><head><meta charset="gb2312"></head><body>镕基路门店投诉</body></html>'
        raw = mail(SENDER, "Content-Type: text/html", body=html.encode("gbk"))

        assert normalize_email(raw).body == "镕基路门店投诉"

    def test_nested_mixed_alternative_related(self) -> None:
        related_html = part('text/html; charset="utf-8"', b'<p>HTML version <img src="cid:sig"></p>')
        inline_logo = part(
            "image/png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 24,
            "Content-ID: <sig>",
            'Content-Disposition: inline; filename="logo.png"',
        )
        related = b'Content-Type: multipart/related; boundary="rel"\r\n\r\n--rel\r\n' + related_html
        related += b"\r\n--rel\r\n" + inline_logo + b"\r\n--rel--"
        alternative = b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n'
        alternative += part('text/plain; charset="utf-8"', b"Plain version of my complaint.")
        alternative += b"\r\n--alt\r\n" + related + b"\r\n--alt--"
        receipt = part(
            "application/pdf", b"%PDF-1.4 receipt", 'Content-Disposition: attachment; filename="receipt.pdf"'
        )

        draft = normalize_email(multipart("mixed", "mix", alternative, receipt))

        assert draft.body == "Plain version of my complaint."
        assert [(a.name, a.content_type, a.size) for a in draft.attachments] == [
            ("logo.png", "image/png", 32),
            ("receipt.pdf", "application/pdf", 16),
        ]

    def test_attachments_become_metadata_with_decoded_names_and_sizes(self) -> None:
        pdf = b"%PDF-1.4\n" + bytes(range(256)) * 4
        photo = b"\xff\xd8\xff\xe0" + b"\x10" * 3000
        gb_name = urllib.parse.quote("朱镕基路门店小票.jpg".encode("gb18030"))
        raw = multipart(
            "mixed",
            "mix-2",
            part('text/plain; charset="utf-8"', "请查看附件。".encode()),
            part(
                "application/pdf",
                pdf,
                f'Content-Disposition: attachment; filename="{b_word("发票.pdf", "gbk", "gb2312")}"',
            ),
            part("image/jpeg", photo, f"Content-Disposition: attachment; filename*=gb2312''{gb_name}"),
        )

        draft = normalize_email(raw)

        assert draft.body == "请查看附件。"
        assert [(a.name, a.content_type, a.size) for a in draft.attachments] == [
            ("发票.pdf", "application/pdf", len(pdf)),
            ("朱镕基路门店小票.jpg", "image/jpeg", len(photo)),
        ]

    def test_mail_built_with_email_message_and_rfc2231_utf8_filename(self) -> None:
        message = EmailMessage()
        message["From"] = "张伟 <zhang.wei@example.cn>"
        message["To"] = "service@shop.example.com"
        message["Subject"] = "退货：订单 DD2026 屏幕碎裂"
        message["Message-ID"] = "<built-1@example.cn>"
        message.set_content("屏幕碎了，要求退货。\n")
        message.add_attachment(
            b"%PDF-1.4 return form", maintype="application", subtype="pdf", filename="退货单.pdf"
        )
        message.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", filename="破损照.png")

        draft = normalize_email(message.as_bytes(policy=email.policy.SMTP))

        assert draft.subject == "退货：订单 DD2026 屏幕碎裂"
        assert draft.body == "屏幕碎了，要求退货。"
        assert [(a.name, a.size) for a in draft.attachments] == [("退货单.pdf", 20), ("破损照.png", 8)]

    def test_mail_built_with_email_mime_in_gbk(self) -> None:
        message = MIMEMultipart("mixed")
        message["From"] = "zhang.wei@example.cn"
        message["Subject"] = "Order DD2026"
        message.attach(MIMEText("镕基路门店拒绝退货。", "plain", "gbk"))
        attachment = MIMEApplication(b"a,b\r\n1,2\r\n", "csv")
        attachment.add_header("Content-Disposition", "attachment", filename=("gbk", "", "订单.csv"))
        message.attach(attachment)

        draft = normalize_email(message.as_bytes())

        assert draft.body == "镕基路门店拒绝退货。"
        assert [(a.name, a.content_type, a.size) for a in draft.attachments] == [
            ("订单.csv", "application/csv", 10)
        ]

    def test_thread_refs_from_in_reply_to_then_references_newest_first(self) -> None:
        raw = text_mail(
            "Still no refund.",
            "In-Reply-To: <svc-3@shop.example.com>",
            "References: <c-0@example.cn>\r\n <svc-2@shop.example.com>\r\n <svc-3@shop.example.com>",
        )

        draft = normalize_email(raw)

        assert draft.thread_refs == ["svc-3@shop.example.com", "svc-2@shop.example.com", "c-0@example.cn"]

    def test_english_gmail_quote_is_stripped(self) -> None:
        text = (
            "I still have not received the replacement.\n\n"
            "On Fri, Nov 20, 2026 at 10:15 AM Shop Support <support@shop.example.com>\n"
            "wrote:\n\n"
            "> Dear customer,\n"
            "> we have shipped a replacement.\n"
        )

        draft = normalize_email(text_mail(text))

        assert draft.body == "I still have not received the replacement."
        assert draft.channel_data["full_text"] == text.strip()

    def test_outlook_original_message_is_stripped(self) -> None:
        text = (
            "Please escalate this, it is the third time.\n\n"
            "Emily Carter\n"
            "-- \n"
            "Sent from my phone\n\n"
            "-----Original Message-----\n"
            "From: Shop Support <support@shop.example.com>\n"
            "Sent: Friday, November 20, 2026 10:15 AM\n"
            "To: Emily Carter <emily.carter@example.com>\n"
            "Subject: RE: Damaged order\n\n"
            "We are looking into it.\n"
        )

        assert normalize_email(text_mail(text)).body == (
            "Please escalate this, it is the third time.\n\nEmily Carter\n--\nSent from my phone"
        )

    def test_outlook_header_block_without_separator_is_stripped(self) -> None:
        text = (
            "No reply for a week.\n\n"
            "________________________________\n"
            "From: Shop Support <support@shop.example.com>\n"
            "Sent: Friday, November 20, 2026 10:15 AM\n"
            "To: Emily Carter\n"
            "Subject: RE: Damaged order\n\n"
            "We are looking into it.\n"
        )

        assert normalize_email(text_mail(text)).body == "No reply for a week."

    def test_qq_mail_chinese_quote_is_stripped(self) -> None:
        text = (
            "三天了还没有人联系我，请尽快退款。\n\n"
            "------------------ 原始邮件 ------------------\n"
            '发件人: "客服中心"<service@shop.example.com>;\n'
            "发送时间: 2026年11月20日(星期五) 下午3:02\n"
            '收件人: "王堃"<wang.kun@mail.example.cn>;\n'
            "主题: 回复：投诉\n\n"
            "您好，我们会在24小时内联系您。\n"
        )

        draft = normalize_email(text_mail(text, charset="gb18030"))

        assert draft.body == "三天了还没有人联系我，请尽快退款。"
        assert "24小时内" in draft.channel_data["full_text"]

    def test_chinese_wrote_line_is_stripped(self) -> None:
        text = (
            "退款到现在还没到账。\n\n"
            "在 2026年11月20日 15:02，客服中心 <service@shop.example.com> 写道：\n\n"
            "您好，退款将在三个工作日内到账。\n"
        )

        assert normalize_email(text_mail(text)).body == "退款到现在还没到账。"

    @pytest.mark.parametrize(
        "quote",
        [
            "-----原始郵件-----\n寄件者: 客服中心 <service@shop.example.com>\n"
            "寄件日期: 2026年11月20日 下午 03:02\n"
            "收件者: 陳小姐\n主旨: 回覆：訂單延誤\n\n您好，我們會盡快處理。\n",
            "寄件者: 客服中心 <service@shop.example.com>\n寄件日期: 2026年11月20日 下午 03:02\n"
            "收件者: 陳小姐\n主旨: 回覆：訂單延誤\n\n您好，我們會盡快處理。\n",
        ],
        ids=["separator", "header-block"],
    )
    def test_traditional_chinese_quote_is_stripped(self, quote: str) -> None:
        text = "訂單已經延誤兩週，請給我明確的出貨日期。\n\n" + quote

        assert (
            normalize_email(text_mail(text, charset="big5")).body
            == "訂單已經延誤兩週，請給我明確的出貨日期。"
        )

    def test_quote_only_mail_keeps_its_text(self) -> None:
        text = "> 您好，我们会在24小时内联系您。\n> 客服中心\n"

        draft = normalize_email(text_mail(text))

        assert draft.body == text.strip()
        assert "full_text" not in draft.channel_data

    @pytest.mark.parametrize(
        ("headers", "subject", "reason"),
        [
            (("Auto-Submitted: auto-replied",), "Subject: Re: complaint", "auto-submitted: auto-replied"),
            (("Precedence: bulk",), "Subject: Weekly deals", "precedence: bulk"),
            (("X-Autoreply: yes",), "Subject: Re: complaint", "x-autoreply"),
            ((), f"Subject: {b_word('自动回复：我现在休假中', 'utf-8')}", "subject: 自动回复"),
            ((), "Subject: Automatic reply: Re: complaint", "subject: automatic reply"),
            ((), f"Subject: {b_word('系统退信', 'gbk', 'gb2312')}", "subject: 系统退信"),
        ],
    )
    def test_auto_generated_mail_is_flagged(
        self, headers: tuple[str, ...], subject: str, reason: str
    ) -> None:
        draft = normalize_email(text_mail("I am out of the office until Monday.", *headers, subject=subject))

        assert draft.flags == [ComplaintFlag.auto_generated, ComplaintFlag.no_auto_reply]
        assert draft.channel_data["auto_generated_reason"] == reason

    def test_mailer_daemon_bounce_is_flagged(self) -> None:
        report = b'Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"\r\n'
        raw = mail(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.cn>",
            "Subject: Undelivered Mail Returned to Sender",
            "MIME-Version: 1.0",
            report.decode().rstrip(),
            body=b"--rpt\r\n"
            + part(
                "text/plain; charset=us-ascii",
                b"I'm sorry to have to inform you that your message could not be delivered.",
                encoding="7bit",
            )
            + b"\r\n--rpt\r\nContent-Type: message/delivery-status\r\n\r\n"
            + b"Reporting-MTA: dns; mx.example.cn\r\n\r\n"
            + b"Final-Recipient: rfc822; nobody@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            + b"\r\n--rpt\r\nContent-Type: message/rfc822\r\n\r\n"
            + b"From: service@shop.example.com\r\nSubject: x\r\n\r\nhi\r\n"
            + b"\r\n--rpt--\r\n",
        )

        draft = normalize_email(raw)

        assert draft.flags == [ComplaintFlag.auto_generated, ComplaintFlag.no_auto_reply]
        assert draft.channel_data["auto_generated_reason"] == "sender: mailer-daemon"
        assert draft.body.startswith("I'm sorry to have to inform you")
        assert [a.content_type for a in draft.attachments] == ["message/delivery-status", "message/rfc822"]

    def test_report_without_daemon_sender_is_flagged_by_content_type(self) -> None:
        raw = mail(
            SENDER,
            'Content-Type: multipart/report; report-type=disposition-notification; boundary="r"',
            body=b"--r\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n--r--\r\n",
        )

        assert normalize_email(raw).channel_data["auto_generated_reason"] == "multipart/report"

    @pytest.mark.parametrize("headers", [(), ("Auto-Submitted: no",)])
    def test_normal_mail_is_not_flagged(self, headers: tuple[str, ...]) -> None:
        draft = normalize_email(text_mail("Reply to me, please: auto parts order.", *headers))

        assert draft.flags == []
        assert "auto_generated_reason" not in draft.channel_data

    def test_auto_response_suppress_only_blocks_auto_replies(self) -> None:
        draft = normalize_email(text_mail("My complaint.", "X-Auto-Response-Suppress: All"))

        assert draft.flags == [ComplaintFlag.no_auto_reply]

    def test_missing_message_id_gets_a_stable_hash(self) -> None:
        raw = mail(SENDER, "Subject: no id", body=b"refund please")
        other = mail(SENDER, "Subject: no id", body=b"refund please!")

        draft = normalize_email(raw)

        assert draft.external_id == "sha256:" + hashlib.sha256(raw).hexdigest()
        assert normalize_email(raw).external_id == draft.external_id
        assert normalize_email(other).external_id != draft.external_id
        assert draft.channel_data["message_id"] is None

    def test_message_id_loses_brackets_and_whitespace(self) -> None:
        raw = mail(SENDER, "Message-ID:\r\n  <CAF=x7Q+1@mail.gmail.com>  ", body=b"hi")

        assert normalize_email(raw).external_id == "CAF=x7Q+1@mail.gmail.com"

    @pytest.mark.parametrize(
        ("date", "expected"),
        [
            (
                "Date: Fri, 20 Nov 2026 10:15:32 -0500",
                datetime(2026, 11, 20, 10, 15, 32, tzinfo=timezone(timedelta(hours=-5))),
            ),
            ("Date: Fri, 20 Nov 2026 10:15:32 -0000", None),
            ("Date: 20/11/2026 10:15", None),
            ("X-No-Date: 1", None),
        ],
    )
    def test_received_at_is_timezone_aware_or_none(self, date: str, expected: datetime | None) -> None:
        draft = normalize_email(mail(SENDER, date, body=b"hi"))

        assert draft.received_at == expected
        assert draft.received_at is None or draft.received_at.tzinfo is not None

    @pytest.mark.parametrize(
        "raw",
        [
            b"",
            b" \r\n\r\n ",
            b"\x00\x01\x02\xff\xfe binary junk",
            b"Dear support, my order is late.\r\nFrom: zhang.wei@example.cn\r\n\r\nbody",
            b"\r\nFrom: zhang.wei@example.cn\r\n\r\nheaders after a blank line are body",
            b'{"from": "zhang.wei@example.cn", "body": "late"}',
            b"Subject: no sender\r\n\r\nmy order is late",
            b"From: Zhang Wei\r\nSubject: no address\r\n\r\nmy order is late",
            b"From: zhang.wei@example.cn\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all",
            b'From: zhang.wei@example.cn\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            b"boundary never used",
            b'From: zhang.wei@example.cn\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
            b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo",
        ],
        ids=[
            "empty",
            "blank",
            "binary",
            "text-before-headers",
            "leading-blank-line",
            "json",
            "no-from",
            "from-without-address",
            "multipart-no-boundary",
            "multipart-no-parts",
            "truncated-multipart-without-text",
        ],
    )
    def test_malformed_input_is_rejected(self, raw: bytes) -> None:
        with pytest.raises(MalformedPayload) as caught:
            normalize_email(raw)

        assert caught.value.detail

    def test_deeply_nested_multipart_is_rejected(self) -> None:
        depth = 40
        raw = b'From: a@example.cn\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
        for level in range(1, depth):
            raw += f'--b{level - 1}\r\nContent-Type: multipart/mixed; boundary="b{level}"\r\n\r\n'.encode()
        raw += f"--b{depth - 1}\r\nContent-Type: text/plain\r\n\r\nhi\r\n".encode()

        with pytest.raises(MalformedPayload):
            normalize_email(raw)

    def test_truncated_multipart_keeps_the_parts_present(self) -> None:
        raw = (
            b'From: zhang.wei@example.cn\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "请看照片，屏幕碎了。".encode()
            + b"\r\n--b1\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=a.jpg\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg"
        )

        draft = normalize_email(raw)

        assert draft.body == "请看照片，屏幕碎了。"
        assert [a.name for a in draft.attachments] == ["a.jpg"]

    def test_nul_bytes_do_not_reach_the_draft(self) -> None:
        raw = mail(
            SENDER,
            "Subject: refund\x00 please",
            'Content-Type: multipart/mixed; boundary="n"',
            body=b"--n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nmy order\x00 is late\r\n"
            b"--n\r\nContent-Type: application/pdf\r\n"
            b'Content-Disposition: attachment; filename="a\x00.pdf"\r\n\r\n'
            b"%PDF\x00\r\n--n--\r\n",
        )

        draft = normalize_email(raw)

        assert draft.body == "my order is late"
        assert draft.subject == "refund please"
        assert draft.attachments[0].name == "a.pdf"
        assert no_nul_anywhere(draft)

    def test_long_body_is_truncated_and_flagged(self) -> None:
        draft = normalize_email(text_mail("投诉" * 60_000))

        assert len(draft.body) == MAX_BODY_CHARS
        assert draft.channel_data["truncated"] is True

    def test_mutated_messages_never_raise_anything_but_malformed_payload(self) -> None:
        seed = (FIXTURES / "multipart_attachments.eml").read_bytes()
        rng = random.Random(20261120)
        outcomes: set[str] = set()
        for _ in range(400):
            data = bytearray(seed)
            for _ in range(rng.randint(1, 12)):
                position = rng.randrange(len(data))
                data[position : position + rng.randint(0, 3)] = bytes(
                    rng.randrange(256) for _ in range(rng.randint(0, 3))
                )
            cut = rng.choice([len(data), rng.randrange(1, len(data))])
            try:
                draft = normalize_email(bytes(data[:cut]))
            except MalformedPayload:
                outcomes.add("malformed")
            else:
                assert no_nul_anywhere(draft)
                outcomes.add("draft")

        assert outcomes == {"draft", "malformed"}

    def test_fixture_files_describe_one_thread(self) -> None:
        first = normalize_email((FIXTURES / "gb2312_qp.eml").read_bytes())
        reply = normalize_email((FIXTURES / "reply.eml").read_bytes())
        html = normalize_email((FIXTURES / "html_only.eml").read_bytes())
        attachments = normalize_email((FIXTURES / "multipart_attachments.eml").read_bytes())

        assert first.subject == "投诉：订单DD20261118001商品破损（王堃）"
        assert first.external_id in reply.thread_refs
        assert reply.identities == first.identities
        assert reply.channel_data["full_text"].startswith(reply.body)
        assert html.channel_data["html_only"] is True
        assert [a.content_type for a in attachments.attachments] == ["application/pdf", "image/png"]
