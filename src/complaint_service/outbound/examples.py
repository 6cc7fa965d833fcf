"""Realistic response examples for the webhook routes in the OpenAPI document."""

from __future__ import annotations

from typing import Any

ENDPOINT_ID = "0193a5c2-7f25-7000-8000-0a0b0c0d0e20"
DELIVERY_ID = "0193a5c2-7f30-7000-8000-0a0b0c0d0e11"
COMPLAINT_ID = "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"

ENDPOINT: dict[str, Any] = {
    "id": ENDPOINT_ID,
    "name": "WeChat official account adapter",
    "url": "https://adapters.example.com/wechat/outbound",
    "channels": ["wechat"],
    "event_types": ["complaint.resolved", "sla.breached"],
    "enabled": True,
    "secret_prefix": "q3Zr8v…",
    "secret": None,
    "created_at": "2026-11-22T02:00:00Z",
    "updated_at": "2026-11-22T02:00:00Z",
}
ENDPOINT_WITH_SECRET: dict[str, Any] = {**ENDPOINT, "secret": "q3Zr8vN1hTqk2WfYp0cXb7LmE4sAuJdG9oRiK5zV6yw"}

DELIVERY: dict[str, Any] = {
    "id": DELIVERY_ID,
    "endpoint_id": ENDPOINT_ID,
    "complaint_id": COMPLAINT_ID,
    "message_id": "0193a5c2-7f2f-7000-8000-0a0b0c0d0e30",
    "event_type": "message.outbound",
    "status": "dead",
    "attempts": 14,
    "next_attempt_at": None,
    "last_error": "HTTP 502",
    "last_status_code": 502,
    "delivered_at": None,
    "created_at": "2026-11-22T02:35:00Z",
    "payload": {
        "id": DELIVERY_ID,
        "type": "message.outbound",
        "occurred_at": "2026-11-22T02:35:00.120000+00:00",
        "complaint_id": COMPLAINT_ID,
        "data": {
            "message_id": "0193a5c2-7f2f-7000-8000-0a0b0c0d0e30",
            "kind": "acknowledgement",
            "channel": "wechat",
            "reference": "C20261122-000123",
            "body": "您好，您的投诉（编号 C20261122-000123）已收到，我们将在 24 小时内答复。",
            "external_id": "24802011223344556",
            "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
            "in_reply_to": "24802011223344556",
        },
    },
}
REDELIVERED: dict[str, Any] = {**DELIVERY, "status": "pending", "next_attempt_at": "2026-11-23T09:00:00Z"}


def page(item: dict[str, Any]) -> dict[str, Any]:
    return {"items": [item], "next_cursor": "AZOlwn8wcACAAAoLDA0OEQ"}
