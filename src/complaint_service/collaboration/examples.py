"""Realistic request and response examples for the OpenAPI document."""

from __future__ import annotations

from typing import Any

REQUEST_ID = "0193a5d0-1c2e-7b40-9e51-7a8b9c0d1e2f"
COMPLAINT_ID = "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11"
QUESTION = "客户反馈 5.2.1 版本打开订单页闪退（iOS 18），请确认是否已知问题、预计何时修复？"
ANSWER = "已知问题：5.2.1 订单页在 iOS 18 上的崩溃已在 5.2.2 修复，今晚 22:00 发布。"

CREATE: list[Any] = [  # Any: a JSON Schema `examples` value
    {"to_department": "tech", "question": QUESTION},
    {
        "to_department": "finance",
        "question": "请核实订单 202611220001 是否重复扣款。",
        "answer_within_minutes": 60,
    },
    {"to_department": "logistics", "question": "请确认包裹当前位置。", "due_at": "2026-11-23T10:00:00+08:00"},
]

REQUEST: dict[str, Any] = {
    "id": REQUEST_ID,
    "complaint_id": COMPLAINT_ID,
    "complaint_reference": "C20261122-000123",
    "from_department": "customer_service",
    "to_department": "tech",
    "status": "answered",
    "question": QUESTION,
    "requested_by": "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "due_at": "2026-11-23T04:30:00Z",
    "warned_at": None,
    "breached_at": None,
    "answer": ANSWER,
    "reason": None,
    "closed_at": "2026-11-23T03:05:12Z",
    "closed_by": "user:0193a5c2-8a40-7000-8000-5d6e7f8091a2",
    "created_at": "2026-11-23T02:30:00Z",
    "updated_at": "2026-11-23T03:05:12Z",
    "pii_masked": False,
    "version": 2,
    "links": {"self": f"/v1/collaborations/{REQUEST_ID}", "complaint": f"/v1/complaints/{COMPLAINT_ID}"},
}
OPEN_REQUEST: dict[str, Any] = REQUEST | {
    "status": "open",
    "answer": None,
    "closed_at": None,
    "closed_by": None,
    "updated_at": REQUEST["created_at"],
    "version": 1,
}
