"""Helpers for the OpenAPI `responses=` of routes: success examples and the ETag header."""

from __future__ import annotations

from typing import Any

ETAG_HEADER = {
    "ETag": {
        "description": 'The resource\'s version, e.g. `"3"`; send it back as `If-Match` to update it.',
        "schema": {"type": "string"},
    }
}


def example_response(
    example: Any, *, status: int = 200, headers: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    response: dict[str, Any] = {"content": {"application/json": {"example": example}}}
    if headers:
        response["headers"] = headers
    return {status: response}
