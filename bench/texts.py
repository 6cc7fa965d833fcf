"""Realistic complaint texts for the load generator, varied per request by order number and amount."""

from __future__ import annotations

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
    """Request `i` of a run: a distinct external id, and a customer who recurs every 500 requests."""
    channel, subject, body = TEMPLATES[i % len(TEMPLATES)]
    order = f"2026{1122000000 + i:010d}"
    amount = f"{(i * 37) % 2000 + 9.9:.2f}"
    customer = i % 500
    return {
        "channel": channel,
        "external_id": f"bench-{run}-{i}",
        "subject": subject,
        "body": body.format(order=order, amount=amount),
        "customer": {
            "name": f"客户{customer}",
            "phone": f"138{customer:08d}",
            "app_user_id": f"u_{customer}",
        },
        "order_id": order,
    }
