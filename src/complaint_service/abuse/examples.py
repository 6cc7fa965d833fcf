"""Response examples for the abuse API in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT, COMPLAINT_ID

REVIEW_ID = "0193a5c2-8a00-7b10-9c2d-3e4f5a6b7c8d"
BLOCK_ID = "0193a5c2-9b00-7c20-8d3e-4f5a6b7c8d9e"
HELD_COMPLAINT: dict[str, Any] = COMPLAINT | {
    "status": "triaged",
    "body": "退款退款退款退款退款！！！",
    "flags": ["suspected_abuse"],
    "has_pii": False,
    "pii_masked": False,
}
REVIEW: dict[str, Any] = {
    "id": REVIEW_ID,
    "complaint_id": COMPLAINT_ID,
    "sender_key": "customer:0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "reasons": ["flood"],
    "details": {
        "window_seconds": 600,
        "similar_in_window": 6,
        "complaints_in_window": 6,
        "similar_complaint_ids": ["0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a10"],
    },
    "status": "pending",
    "block_id": None,
    "created_at": "2026-11-22T02:31:00.120Z",
    "decided_at": None,
    "decided_by": None,
    "note": None,
    "complaint": HELD_COMPLAINT,
}
CONFIRMED: dict[str, Any] = REVIEW | {
    "status": "confirmed",
    "block_id": BLOCK_ID,
    "decided_at": "2026-11-22T03:05:00Z",
    "decided_by": "user:0193a5c2-6000-7000-8000-00000000a001",
    "note": "同一内容 10 分钟内发送 30 次",
    "complaint": HELD_COMPLAINT | {"status": "closed", "resolution_code": "abuse"},
}
RELEASED: dict[str, Any] = REVIEW | {
    "status": "released",
    "decided_at": "2026-11-22T03:05:00Z",
    "decided_by": "user:0193a5c2-6000-7000-8000-00000000a001",
    "note": "客户确实在反映真实问题",
    "complaint": HELD_COMPLAINT | {"flags": []},
}
BLOCK: dict[str, Any] = {
    "id": BLOCK_ID,
    "sender_key": "customer:0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "reason": "同一内容 10 分钟内发送 30 次",
    "complaint_id": COMPLAINT_ID,
    "created_by": "user:0193a5c2-6000-7000-8000-00000000a001",
    "created_at": "2026-11-22T03:05:00Z",
    "expires_at": "2026-11-29T03:05:00Z",
    "lifted_at": None,
    "lifted_by": None,
    "active": True,
}
