"""Admins read who saw unmasked personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from complaint_service.audit import service as audit_service
from complaint_service.auth.dependencies import Admin
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page, Schema, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/audit", tags=["audit"])

EXAMPLE = {
    "id": "0193a5c2-7f50-7000-8000-0a0b0c0d0e30",
    "actor": "user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "user_id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "resource": "complaint",
    "complaint_id": "0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
    "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "kinds": ["phone"],
    "route": "GET /v1/complaints/{complaint_id}",
    "request_id": "5f0c8e2b9a7d4c1e",
    "accessed_at": "2026-11-22T03:00:00Z",
}


class PiiAccessOut(Schema):
    id: uuid.UUID
    actor: str
    user_id: uuid.UUID | None
    resource: str
    complaint_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    kinds: list[str]
    route: str
    request_id: str | None
    accessed_at: datetime


@router.get(
    "/pii-access",
    summary="List unmasked reads of personal data",
    description="Newest first. One row per complaint, message list, timeline, customer or export row shown "
    "unmasked to a caller with `pii:read`, with the kinds of data in view, the route and the request id.",
    response_model=Page[PiiAccessOut],
    responses={
        **example_response({"items": [EXAMPLE], "next_cursor": None}),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_pii_access(
    session: DbSession,
    _: Admin,
    actor: Annotated[
        str | None, Query(max_length=200, description="e.g. `user:<id>` or `api_key:<name>`")
    ] = None,
    user_id: uuid.UUID | None = None,
    complaint_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[PiiAccessOut]:
    rows = await audit_service.list_accesses(
        session,
        actor=actor,
        user_id=user_id,
        complaint_id=complaint_id,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return Page[PiiAccessOut](
        items=[PiiAccessOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor(rows[-1].id) if len(rows) == limit else None,
    )
