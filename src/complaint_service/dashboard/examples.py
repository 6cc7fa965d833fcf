"""Response examples for the dashboard's API route."""

from __future__ import annotations

from typing import Any

ATTENTION: dict[str, Any] = {
    "total": 7,
    "items": [
        {
            "id": "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
            "reference": "C20261122-000123",
            "status": "assigned",
            "category": "payment_billing",
            "urgency": "P1",
            "department": "finance",
            "assignee_id": "0193a5c2-7f25-7000-8000-0a0b0c0d0e99",
            "escalation_level": 1,
            "breached": ["first_response"],
            "received_at": "2026-11-22T02:30:00Z",
            "first_response_due_at": "2026-11-22T04:30:00Z",
            "resolution_due_at": "2026-11-23T02:30:00Z",
        }
    ],
}
