"""Supervisors' view of spike alerts: list, read and acknowledge."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from complaint_service.alerts import examples
from complaint_service.alerts import service as alert_service
from complaint_service.alerts.schemas import AlertOut
from complaint_service.auth.dependencies import Supervisor
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models.alert import AlertDimension

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

HOW = (
    " The workers count complaints per category, product SKU and app version every minute over the "
    "last window (default 60 minutes) and compare the count with the same-length windows before it "
    "(default 24): a count above their mean + k·standard deviation (default k = 3) and at least the "
    "minimum count (default 10) is a spike. A spike still going on extends its alert instead of raising "
    "another. Each new alert is also sent to webhook subscribers of `alert.raised`. Supervisors and above."
)


@router.get(
    "",
    summary="List spike alerts",
    description="Newest first, keyset-paged; `acknowledged=false` lists those nobody has taken on yet." + HOW,
    response_model=Page[AlertOut],
    responses={**example_response(examples.PAGE), **problem_responses(400, 401, 403, 422, 503)},
)
async def list_alerts(
    session: DbSession,
    principal: Supervisor,
    acknowledged: bool | None = None,
    dimension: AlertDimension | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[AlertOut]:
    rows, last = await alert_service.list_page(
        session,
        acknowledged=acknowledged,
        dimension=dimension,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return Page[AlertOut](
        items=[AlertOut.model_validate(a) for a in rows], next_cursor=encode_cursor(last) if last else None
    )


@router.get(
    "/{alert_id}",
    summary="Get a spike alert",
    description="With the count that raised it and the baseline it was compared with." + HOW,
    response_model=AlertOut,
    responses={**example_response(examples.ALERT), **problem_responses(401, 403, 404, 422, 503)},
)
async def get_alert(session: DbSession, principal: Supervisor, alert_id: uuid.UUID) -> AlertOut:
    return AlertOut.model_validate(await alert_service.get(session, alert_id=alert_id))


@router.post(
    "/{alert_id}/acknowledge",
    summary="Acknowledge a spike alert",
    description="Records who took the alert on and when. Acknowledging an acknowledged alert changes "
    "nothing and returns it as it is, so two supervisors clicking at once both see who was first.",
    response_model=AlertOut,
    responses={**example_response(examples.ACKNOWLEDGED), **problem_responses(401, 403, 404, 422, 503)},
)
async def acknowledge_alert(session: DbSession, principal: Supervisor, alert_id: uuid.UUID) -> AlertOut:
    alert = await alert_service.acknowledge(session, alert_id=alert_id, actor=principal.actor)
    return AlertOut.model_validate(alert)
