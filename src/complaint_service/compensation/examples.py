"""Response examples for the compensation routes in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT_ID, page

__all__ = ["COMPENSATION", "COMPENSATION_PENDING", "page"]

AGENT = "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70"
SUPERVISOR = "user:0193a5c2-7f32-7000-8000-3c4d5e6f7081"
COMPENSATION_PENDING: dict[str, Any] = {
    "id": "0193a5c2-7f60-7000-8000-0a0b0c0d0e40",
    "complaint_id": COMPLAINT_ID,
    "kind": "coupon",
    "amount": "300.00",
    "currency": "CNY",
    "points": None,
    "note": "VIP 客户延误补偿",
    "status": "pending_approval",
    "needs_approval": True,
    "proposed_by": AGENT,
    "decided_by": None,
    "decided_at": None,
    "decision_note": None,
    "granted_by": None,
    "granted_at": None,
    "grant_reference": None,
    "cancelled_by": None,
    "cancelled_at": None,
    "created_at": "2026-11-22T09:00:00Z",
    "updated_at": "2026-11-22T09:00:00Z",
    "version": 1,
}
COMPENSATION: dict[str, Any] = COMPENSATION_PENDING | {
    "status": "granted",
    "decided_by": SUPERVISOR,
    "decided_at": "2026-11-22T09:20:00Z",
    "decision_note": "同意，客户为VIP",
    "granted_by": AGENT,
    "granted_at": "2026-11-22T09:31:00Z",
    "grant_reference": "COUPON-8F3K-2QX9",
    "updated_at": "2026-11-22T09:31:00Z",
    "version": 3,
}
