"""Realistic complaint texts for the load generator, varied per request by order number and amount."""

from __future__ import annotations

import base64
import time
from email.header import Header
from typing import Any

# (channel, subject, body template): Simplified and Traditional Chinese, and English, across categories.
TEMPLATES: tuple[tuple[str, str | None, str], ...] = (
    (
        "app_feedback",
        "更新后闪退",
        "更新到 5.2.1 之后一打开订单页就闪退，已经重装过了还是不行，订单号 {order}。",
    ),
    (
        "web_form",
        "支付失败",
        "订单{order}支付失败，钱已经扣了{amount}元但是订单没有生成，客服电话一直打不通。",
    ),
    ("live_chat", None, "我的快递三天没有更新物流了，订单 {order}，到底什么时候能送到？"),
    ("wechat", None, "申请退货退款已经一个星期了，订单{order}的{amount}元还没退回来，请尽快处理。"),
    ("sms", None, "收到的商品有质量问题，衣服第一次洗就掉色严重，订单号{order}，要求换货。"),
    ("email", "客服态度恶劣", "昨天打电话咨询订单{order}，客服态度非常差，直接挂我电话，希望给个说法。"),
    ("app_feedback", "账号被盗", "我的账号今天凌晨在陌生设备登录，余额被转走{amount}元，怀疑被盗号了！"),
    (
        "web_form",
        "隐私泄露",
        "我在你们平台下单后天天接到骚扰电话，对方知道我的订单{order}，个人信息被泄露了。",
    ),
    ("weibo", None, "@官方客服 订单{order}重复扣款两次共{amount}元，再不处理我就打12315投诉你们！"),
    ("phone_transcript", None, "客户来电：订单{order}的电热水壶使用时冒烟，差点引起火灾，要求赔偿并召回。"),
    ("store_visit", "门店投诉", "在门店购买的耳机{order}无法充电，店员拒绝退换，说要自己寄回厂家。"),
    ("app_feedback", "建议", "建议在订单页增加发票下载功能，现在每次都要找客服要，很不方便。"),
    ("web_form", "付款失敗", "訂單{order}付款失敗，但信用卡已經被扣了{amount}元，請盡快處理退款。"),
    ("live_chat", None, "包裹顯示已簽收，但我根本沒有收到，訂單號{order}，請幫我查一下物流。"),
    (
        "email",
        "Refund not received",
        "I returned order {order} two weeks ago and still have not received my refund of {amount} CNY.",
    ),
    (
        "app_feedback",
        "App crashes",
        "The app crashes every time I open my cart after the last update. Order {order} is stuck.",
    ),
)


def canonical_payload(i: int, run: str) -> dict[str, Any]:
    """Request `i` of a run: a distinct external id and customer (see `_customer`)."""
    channel, subject, body = _fill(i)
    customer = _customer(i)
    return {
        "channel": channel,
        "external_id": f"bench-{run}-{i}",
        "subject": subject,
        "body": body,
        "customer": {
            "name": f"客户{customer}",
            "phone": f"138{customer:08d}",
            "app_user_id": f"u_{customer}",
        },
        "order_id": f"2026{1122000000 + i:010d}",
    }


def _customer(i: int) -> int:
    """A new customer per request within a run (customers recur only every 100,000 requests).

    A customer who wrote a dozen similar complaints a minute would rightly be held as a flood, or
    have them joined into one ticket, and never reach an agent: the pipeline's figures would then
    measure the abuse screen instead of intake to assignment.
    """
    return i % 100_000


def _fill(i: int) -> tuple[str, str | None, str]:
    channel, subject, body = TEMPLATES[i % len(TEMPLATES)]
    return (
        channel,
        subject,
        body.format(order=f"2026{1122000000 + i:010d}", amount=f"{(i * 37) % 2000 + 9.9:.2f}"),
    )


def email_message(i: int, run: str) -> bytes:
    """A raw MIME message as a mail server hands it over: encoded subject, base64 UTF-8 body."""
    _, subject, body = _fill(i)
    customer = _customer(i)
    encoded_body = base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
    return (
        f"From: {Header(f'客户{customer}', 'utf-8').encode()} <customer{customer}@mail.example.cn>\r\n"
        "To: service@shop.example.com\r\n"
        f"Subject: {Header(subject or '投诉', 'utf-8').encode()}\r\n"
        f"Message-ID: <bench-{run}-{i}@mail.example.cn>\r\n"
        "Date: Sun, 22 Nov 2026 10:30:00 +0800\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded_body}"
    ).encode()


def wechat_xml(i: int, run: str) -> bytes:
    """A plain-mode text push from an official account's follower; MsgId is unique per run and request."""
    _, _, body = _fill(i)
    msg_id = int(run, 16) % 1_000_000 * 1_000_000_000 + i
    return (
        f"<xml><ToUserName><![CDATA[gh_3f2a1b4c5d6e]]></ToUserName>"
        f"<FromUserName><![CDATA[oBench_{i % 100_000:06d}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{body}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()
