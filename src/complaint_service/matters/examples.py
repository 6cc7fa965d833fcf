"""Realistic request and response examples for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT_ID

TICKET_ID = "0193a5b0-11c2-7d40-9a3e-5c6d7e8f9a0b"
MESSAGE_ID = "0193a5c2-7f1f-7000-8000-0a0b0c0d0e0f"
MERGE_IN: dict[str, Any] = {"into_id": TICKET_ID}
MERGE: dict[str, Any] = {
    "id": "0193a5c9-0a1b-7c2d-8e3f-405162738495",
    "source_id": COMPLAINT_ID,
    "source_reference": "C20261122-000123",
    "target_id": TICKET_ID,
    "target_reference": "C20261122-000097",
    "automatic": False,
    "reason": "manual",
    "score": None,
    "message_ids": [MESSAGE_ID],
    "actor": "user:0193a400-0000-7000-8000-000000000001",
    "merged_at": "2026-11-22T03:05:00Z",
    "unmerged_at": None,
    "unmerged_by": None,
}
UNMERGED: dict[str, Any] = MERGE | {
    "unmerged_at": "2026-11-22T03:20:00Z",
    "unmerged_by": "user:0193a400-0000-7000-8000-000000000002",
}
LINK_IN: dict[str, Any] = {"related_id": TICKET_ID, "kind": "follow_up", "note": "客户对上次的退款进度追问"}
LINK: dict[str, Any] = {
    "id": "0193a5cc-4d5e-7f60-8172-839405a6b7c8",
    "kind": "follow_up",
    "direction": "outgoing",
    "other": {
        "id": TICKET_ID,
        "reference": "C20261122-000097",
        "status": "in_progress",
        "channel": "phone_transcript",
        "received_at": "2026-11-22T01:10:00Z",
    },
    "note": "客户对上次的退款进度追问",
    "actor": "user:0193a400-0000-7000-8000-000000000001",
    "created_at": "2026-11-22T03:06:00Z",
}
