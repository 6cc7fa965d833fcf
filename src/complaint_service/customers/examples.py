"""Response example for a customer's history in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT_ID

CUSTOMER_HISTORY: dict[str, Any] = {
    "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "tier": "gold",
    "counts": {"total": 3, "open": 1, "repeats": 1, "reopened": 1, "second_handling": 1},
    "complaints": [
        {
            "id": COMPLAINT_ID,
            "reference": "C20261122-000123",
            "channel": "wechat",
            "status": "in_progress",
            "category": "payment_billing",
            "urgency": "P2",
            "department": "finance",
            "flags": ["repeat", "second_handling"],
            "repeat_of_id": "0193a4f0-1c2d-7000-8000-1a2b3c4d5e6f",
            "escalation_level": 1,
            "reopen_count": 1,
            "resolution_code": "compensated",
            "received_at": "2026-11-22T02:30:00Z",
            "resolved_at": None,
            "survey_score": 1,
        }
    ],
    "complaints_next_cursor": None,
    "satisfaction": {
        "sent": 2,
        "answered": 2,
        "satisfied": 1,
        "csat": 0.5,
        "average_score": 3.0,
        "response_rate": 1.0,
    },
    "compensation": {"granted": [{"currency": "CNY", "amount": "49.00"}], "granted_points": 500, "open": 1},
}
