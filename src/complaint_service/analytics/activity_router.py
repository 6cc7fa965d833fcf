"""Platforms report what a customer did after complaining; conversion is counted from it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response, status

from complaint_service.analytics import activity
from complaint_service.analytics.schemas import CustomerEventIn, CustomerEventOut
from complaint_service.auth.dependencies import require
from complaint_service.auth.scopes import Principal, Scope
from complaint_service.core.db import DbSession
from complaint_service.core.problems import problem_responses

router = APIRouter(prefix="/v1/customers", tags=["customers"])
Reporter = Annotated[Principal, require(Scope.intake_all)]

EXAMPLE = {
    "id": "0193a5c2-7f60-7000-8000-0a0b0c0d0e40",
    "customer_id": "0193a5c2-7f10-7aa0-8c1b-2e3f4a5b6c7d",
    "type": "order_placed",
    "occurred_at": "2026-11-24T10:15:00+08:00",
    "external_id": "evt-88213",
    "reported_by": "api_key:shop-platform",
    "created_at": "2026-11-24T02:15:01Z",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Recorded.", "content": {"application/json": {"example": EXAMPLE}}},
    200: {
        "description": "Already recorded (same `external_id`); the first report is returned.",
        "model": CustomerEventOut,
        "content": {"application/json": {"example": EXAMPLE}},
    },
    **problem_responses(401, 403, 404, 422, 503),
}


@router.post(
    "/{customer_id}/events",
    summary="Report a customer's activity",
    description="The platform tells the service what a complainant did later (placed an order, signed in, "
    "was active). The figures' conversion (转化率) counts customers active after their complaint's "
    "resolution. Needs an API key with `intake:*` (or `admin`). Idempotent by `external_id`.",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerEventOut,
    responses=RESPONSES,
)
async def record_customer_event(
    session: DbSession,
    principal: Reporter,
    response: Response,
    customer_id: uuid.UUID,
    event: CustomerEventIn,
) -> CustomerEventOut:
    row, created = await activity.record(
        session, customer_id=customer_id, event=event, reported_by=principal.actor
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CustomerEventOut.model_validate(row)
