"""Response examples for the survey routes in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT_ID, page

__all__ = ["CSAT_REPORT", "PUBLIC_SURVEY", "SURVEY", "page"]

PUBLIC_SURVEY: dict[str, Any] = {
    "reference": "C20261122-000123",
    "language": "zh-Hans",
    "question": "您对投诉 C20261122-000123 的处理结果满意吗？请打分：1 分（非常不满意）到 5 分（非常满意）。",
    "min_score": 1,
    "max_score": 5,
    "state": "open",
    "expires_at": "2026-12-06T09:15:00Z",
    "score": None,
}
SURVEY: dict[str, Any] = {
    "id": "0193a5c2-7f50-7000-8000-0a0b0c0d0e30",
    "complaint_id": COMPLAINT_ID,
    "status": "answered",
    "agent_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "department": "finance",
    "category": "payment_billing",
    "sent_at": "2026-11-22T09:15:00Z",
    "expires_at": "2026-12-06T09:15:00Z",
    "answered_at": "2026-11-22T10:02:41Z",
    "score": 2,
    "comment": "退款还没到账，电话 138****5678",
}
_FIGURES = {
    "sent": 120,
    "answered": 80,
    "satisfied": 72,
    "csat": 0.9,
    "average_score": 4.41,
    "response_rate": 0.6667,
}
CSAT_REPORT: dict[str, Any] = {
    "group_by": "department",
    "overall": _FIGURES,
    "groups": [
        {"key": "finance", **_FIGURES, "sent": 70, "answered": 50, "satisfied": 44, "csat": 0.88},
        {"key": "logistics", **_FIGURES, "sent": 50, "answered": 30, "satisfied": 28, "csat": 0.9333},
    ],
}
