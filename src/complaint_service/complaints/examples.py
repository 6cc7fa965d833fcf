"""Realistic response examples for the OpenAPI document."""

from __future__ import annotations

from typing import Any

COMPLAINT_ID = "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"
COMPLAINT: dict[str, Any] = {
    "id": COMPLAINT_ID,
    "reference": "C20261122-000123",
    "channel": "wechat",
    "external_id": "24802011223344556",
    "status": "new",
    "category": None,
    "urgency": None,
    "department": None,
    "assignee_id": None,
    "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "subject": None,
    "body": "订单202611220001支付失败，钱扣了但订单没生成，我的手机138****5678",
    "language": "zh-Hans",
    "attachments": [],
    "channel_data": {"to_user": "gh_3f2a1b0c9d8e", "msg_type": "text"},
    "order_id": None,
    "product_sku": None,
    "app_version": None,
    "amount": None,
    "currency": None,
    "tags": [],
    "flags": [],
    "has_pii": True,
    "pii_masked": True,
    "received_at": "2026-11-22T02:30:00Z",
    "created_at": "2026-11-22T02:30:00.412Z",
    "updated_at": "2026-11-22T02:30:00.412Z",
    "first_response_due_at": None,
    "first_response_at": None,
    "resolution_due_at": None,
    "resolved_at": None,
    "closed_at": None,
    "triaged_at": None,
    "assigned_at": None,
    "escalation_level": 0,
    "resolution_code": None,
    "resolution_summary": None,
    "reopen_count": 0,
    "merged_into_id": None,
    "repeat_of_id": None,
    "version": 1,
    "links": {
        "self": f"/v1/complaints/{COMPLAINT_ID}",
        "timeline": f"/v1/complaints/{COMPLAINT_ID}/timeline",
        "messages": f"/v1/complaints/{COMPLAINT_ID}/messages",
        "customer": "/v1/customers/0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    },
}
MESSAGE: dict[str, Any] = {
    "id": "0193a5c2-7f1f-7000-8000-0a0b0c0d0e0f",
    "direction": "inbound",
    "visibility": "public",
    "channel": "wechat",
    "external_id": "24802011223344556",
    "author": "oAbC123_customer_openid",
    "subject": None,
    "body": COMPLAINT["body"],
    "attachments": [],
    "flags": [],
    "created_at": "2026-11-22T02:30:00.412Z",
}
NOTE: dict[str, Any] = MESSAGE | {
    "id": "0193a5c2-7f1f-7000-8000-0a0b0c0d0e1f",
    "direction": "outbound",
    "visibility": "internal",
    "external_id": None,
    "author": "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "body": "已联系支付渠道核实，等待对账结果。",
}
EVENT: dict[str, Any] = {
    "id": "0193a5c2-7f20-7000-8000-0a0b0c0d0e10",
    "type": "complaint.received",
    "actor": "wechat-official-account",
    "data": {"channel": "wechat", "external_id": "24802011223344556", "reference": "C20261122-000123"},
    "request_id": "5f0c8e2b9a7d4c1e",
    "occurred_at": "2026-11-22T02:30:00.412Z",
}
CUSTOMER: dict[str, Any] = {
    "id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "display_name": "王小明",
    "tier": "standard",
    "created_at": "2026-11-20T08:00:00Z",
    "version": 1,
    "identities": [
        {"kind": "phone", "value": "+86 138****5678", "created_at": "2026-11-20T08:00:00Z"},
        {"kind": "wechat_openid", "value": "oAbC***id", "created_at": "2026-11-22T02:30:00Z"},
    ],
    "complaints": [COMPLAINT],
    "complaints_next_cursor": None,
}


def page(item: dict[str, Any]) -> dict[str, Any]:
    return {"items": [item], "next_cursor": "AZOlwn8ePMCdGk97LpwKEQ"}
