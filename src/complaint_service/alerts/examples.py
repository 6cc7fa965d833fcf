"""Realistic response examples for the alert routes in the OpenAPI document."""

from __future__ import annotations

from typing import Any

ALERT: dict[str, Any] = {
    "id": "0193a5d0-1c00-7000-8000-0a0b0c0d0e40",
    "dimension": "app_version",
    "value": "5.2.1",
    "window_start": "2026-11-22T01:12:00Z",
    "window_end": "2026-11-22T02:20:00Z",
    "count": 57,
    "baseline_mean": 3.4,
    "baseline_stddev": 1.9,
    "threshold": 9.1,
    "created_at": "2026-11-22T02:12:00.41Z",
    "acknowledged_at": None,
    "acknowledged_by": None,
}
ACKNOWLEDGED: dict[str, Any] = {
    **ALERT,
    "acknowledged_at": "2026-11-22T02:25:13Z",
    "acknowledged_by": "user:0193a5c2-7f25-7000-8000-0a0b0c0d0e99",
}
PAGE: dict[str, Any] = {"items": [ALERT], "next_cursor": None}
