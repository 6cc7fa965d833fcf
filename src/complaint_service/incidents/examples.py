"""Response examples for the incident API in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from complaint_service.complaints.examples import COMPLAINT, COMPLAINT_ID

INCIDENT_ID = "0193a5c3-1000-7a00-8b00-1c2d3e4f5a6b"
UPDATE_ID = "0193a5c3-2000-7b00-8c00-2d3e4f5a6b7c"
INCIDENT: dict[str, Any] = {
    "id": INCIDENT_ID,
    "title": "payment_billing: 微信支付一直失败，提示系统繁忙，钱扣了订单没生成",
    "description": None,
    "category": "payment_billing",
    "app_version": None,
    "product_sku": None,
    "status": "open",
    "automatic": True,
    "opened_by": "system:incidents",
    "created_at": "2026-11-22T02:40:00Z",
    "updated_at": "2026-11-22T02:40:00Z",
    "resolved_at": None,
    "resolved_by": None,
    "resolution_code": None,
    "resolution_summary": None,
    "counts": {"complaints": 37, "customers": 36, "open": 37, "resolved": 0, "closed": 0},
    "links": {
        "self": f"/v1/incidents/{INCIDENT_ID}",
        "complaints": f"/v1/incidents/{INCIDENT_ID}/complaints",
        "timeline": f"/v1/incidents/{INCIDENT_ID}/timeline",
    },
}
RESOLVED: dict[str, Any] = INCIDENT | {
    "status": "resolved",
    "updated_at": "2026-11-22T04:10:00Z",
    "resolved_at": "2026-11-22T04:10:00Z",
    "resolved_by": "user:0193a5c2-6000-7000-8000-00000000a002",
    "resolution_code": "incident_resolved",
    "resolution_summary": "支付通道故障已修复，重复扣款将原路退回。",
}
UPDATE: dict[str, Any] = {
    "id": UPDATE_ID,
    "incident_id": INCIDENT_ID,
    "kind": "update",
    "body": "支付通道已恢复部分服务，技术团队正在处理剩余问题，预计 30 分钟内完全恢复。",
    "author": "user:0193a5c2-6000-7000-8000-00000000a002",
    "created_at": "2026-11-22T03:00:00Z",
    "completed_at": None,
}
EVENT: dict[str, Any] = {
    "id": "0193a5c3-1000-7a00-8b00-1c2d3e4f5a70",
    "type": "incident.opened",
    "actor": "system:incidents",
    "data": {
        "incident_id": INCIDENT_ID,
        "title": INCIDENT["title"],
        "category": "payment_billing",
        "automatic": True,
        "complaints": 10,
        "customers": 10,
    },
    "request_id": "0b6c3c1e2f8d4a7e",
    "occurred_at": "2026-11-22T02:40:00Z",
}
LINKED: dict[str, Any] = {"linked": [COMPLAINT_ID], "skipped": []}
LINKED_COMPLAINT: dict[str, Any] = COMPLAINT | {"status": "triaged", "category": "payment_billing"}
