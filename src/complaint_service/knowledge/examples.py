"""Response examples for the knowledge-base routes in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import page
from complaint_service.knowledge.schemas import EXAMPLE_IN

__all__ = ["SOLUTION", "SUGGESTIONS", "page"]

SOLUTION_ID = "0193a5c2-7f40-7000-8000-0a0b0c0d0e20"
SOLUTION: dict[str, Any] = {
    "id": SOLUTION_ID,
    **EXAMPLE_IN,
    "usage_count": 37,
    "author": "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "author_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "updated_by": "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "created_at": "2026-10-08T03:12:00Z",
    "updated_at": "2026-11-02T07:45:10Z",
    "version": 3,
}
SUGGESTIONS: dict[str, Any] = {
    "solutions": [
        {
            "id": SOLUTION_ID,
            "title": EXAMPLE_IN["title"],
            "category": "payment_billing",
            "tags": EXAMPLE_IN["tags"],
            "usage_count": 37,
            "score": 0.81,
            "same_category": True,
        }
    ],
    "complaints": [
        {
            "id": "0193a4f0-1c2d-7000-8000-1a2b3c4d5e6f",
            "reference": "C20261118-000871",
            "category": "payment_billing",
            "department": "finance",
            "status": "closed",
            "score": 0.74,
            "resolution_code": "compensated",
            "resolution_summary": "支付渠道掉单，已原路退款并补发20元优惠券。",
            "resolved_at": "2026-11-18T10:20:00Z",
        }
    ],
}
