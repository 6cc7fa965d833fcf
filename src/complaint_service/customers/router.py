"""Customer API: a customer with identities and complaints, their history, and setting their tier."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader, TeamLead
from complaint_service.auth.scopes import Principal
from complaint_service.compensation import repository as compensation_repository
from complaint_service.compensation.schemas import CompensationTotals, MoneyTotal
from complaint_service.complaints import examples, handling
from complaint_service.complaints import repository as complaint_repository
from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, check_if_match, etag
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import decode_cursor, encode_cursor
from complaint_service.customers import examples as history_examples
from complaint_service.customers import history
from complaint_service.customers import service as customer_service
from complaint_service.customers.schemas import (
    ComplaintBrief,
    ComplaintCountsOut,
    CustomerHistory,
    CustomerOut,
    CustomerPatch,
    IdentityOut,
)
from complaint_service.models import Complaint, Customer
from complaint_service.surveys import repository as survey_repository
from complaint_service.surveys.schemas import CsatOut

router = APIRouter(prefix="/v1/customers", tags=["customers"])
Limit = Annotated[int, Query(ge=1, le=200, description="How many complaints to include.")]
COMPLAINTS_SHOWN = 50


async def _load(session: DbSession, customer_id: uuid.UUID, *, for_update: bool = False) -> Customer:
    customer = await customer_service.get_customer(session, customer_id=customer_id, for_update=for_update)
    if customer is None:
        raise NotFound(f"No customer {customer_id}.")
    return customer


async def _view(
    request: Request, session: DbSession, principal: Principal, customer: Customer, limit: int
) -> CustomerOut:
    rows, last = await complaint_repository.list_page(
        session,
        where=complaint_repository.ComplaintFilter(
            customer_id=customer.id, visible_departments=principal.visible_departments
        ),
        before=None,
        limit=limit,
    )
    reveal = principal.sees_pii
    shown = [Revealed(customer_id=customer.id, kinds=tuple(sorted({i.kind for i in customer.identities})))]
    shown += [Revealed(complaint_id=c.id, customer_id=customer.id, texts=(c.subject, c.body)) for c in rows]
    await record_reveals(session, principal, request, resource="customer", items=shown)
    return CustomerOut(
        id=customer.id,
        display_name=customer.display_name,
        tier=customer.tier,
        created_at=customer.created_at,
        version=customer.version,
        identities=[IdentityOut.build(i, reveal_pii=reveal) for i in customer.identities],
        complaints=[ComplaintOut.build(c, reveal_pii=reveal) for c in rows],
        complaints_next_cursor=encode_cursor(last) if last else None,
    )


@router.get(
    "/{customer_id}",
    summary="Get a customer with identities and recent complaints",
    description="Identities are masked unless the key has `pii:read`. Further complaints: "
    "`GET /v1/complaints?customer_id=…&cursor=complaints_next_cursor`. The `ETag` is the version to send as "
    "`If-Match` with a tier change.",
    response_model=CustomerOut,
    responses={
        **example_response(examples.CUSTOMER, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_customer(
    request: Request,
    response: Response,
    session: DbSession,
    principal: Reader,
    customer_id: uuid.UUID,
    limit: Limit = COMPLAINTS_SHOWN,
) -> CustomerOut:
    customer = await _load(session, customer_id)
    response.headers["ETag"] = etag(customer.version)
    return await _view(request, session, principal, customer, limit)


@router.patch(
    "/{customer_id}",
    summary="Set a customer's tier",
    description="Team leads and above (or an admin key). SLA policies that match on tier re-time the "
    "customer's open complaints at once (each live clock moves by the change of its target, as on an "
    "urgency change). Routing rules on tier and the urgency raise for gold and VIP customers apply from "
    "the customer's next complaint (and to any of theirs that is reopened): complaints already in a "
    "department's hands stay there. Send the `ETag` you read as `If-Match`: 412 if it changed since.",
    response_model=CustomerOut,
    responses={
        **example_response(examples.CUSTOMER | {"tier": "vip", "version": 2}, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 412, 413, 422, 503),
    },
)
async def update_customer(
    request: Request,
    response: Response,
    session: DbSession,
    principal: TeamLead,
    customer_id: uuid.UUID,
    body: CustomerPatch,
    if_match: IfMatch = None,
) -> CustomerOut:
    customer = await _load(session, customer_id, for_update=True)
    check_if_match(if_match, version=customer.version)
    if await customer_service.set_tier(session, customer=customer, tier=body.tier, actor=principal.actor):
        await handling.retime_customer(session, customer_id=customer.id)
    response.headers["ETag"] = etag(customer.version)
    return await _view(request, session, principal, customer, COMPLAINTS_SHOWN)


@router.get(
    "/{customer_id}/history",
    summary="A customer's history: complaints, repeats, satisfaction, compensation",
    description="Counted over the complaints the caller may see (their departments; supervisors and "
    "integrations see all): how many, open, repeats and reopened ones, each complaint in brief with the "
    "customer's survey score, their satisfaction (CSAT = answers scored 4–5 ÷ answers) and the compensation "
    "granted to them. Complaint texts are not included: read them with `GET /v1/complaints/{id}`.",
    response_model=CustomerHistory,
    responses={
        **example_response(history_examples.CUSTOMER_HISTORY),
        **problem_responses(400, 401, 403, 404, 422, 503),
    },
)
async def get_customer_history(
    session: DbSession,
    principal: Reader,
    customer_id: uuid.UUID,
    limit: Limit = COMPLAINTS_SHOWN,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`complaints_next_cursor` of before.")
    ] = None,
) -> CustomerHistory:
    customer = await _load(session, customer_id)
    visible = principal.visible_departments
    rows, last = await complaint_repository.list_page(
        session,
        where=complaint_repository.ComplaintFilter(customer_id=customer.id, visible_departments=visible),
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    scores = await history.latest_scores(session, complaint_ids=[c.id for c in rows])
    counts = await history.counts(session, customer_id=customer.id, visible_departments=visible)
    figures = await survey_repository.figures(
        session, where=survey_repository.SurveyFilter(customer_id=customer.id, visible_departments=visible)
    )
    money = await compensation_repository.totals(
        session, customer_id=customer.id, visible_departments=visible
    )
    return CustomerHistory(
        customer_id=customer.id,
        tier=customer.tier,
        counts=ComplaintCountsOut.model_validate(counts),
        complaints=[
            ComplaintBrief.model_validate({**_brief(c), "survey_score": scores.get(c.id)}) for c in rows
        ],
        complaints_next_cursor=encode_cursor(last) if last else None,
        satisfaction=CsatOut.build(figures),
        compensation=CompensationTotals(
            granted=[MoneyTotal(currency=c, amount=a) for c, a in money.granted.items()],
            granted_points=money.granted_points,
            open=money.open,
        ),
    )


def _brief(complaint: Complaint) -> dict[str, object]:
    return {name: getattr(complaint, name) for name in ComplaintBrief.model_fields if name != "survey_score"}
