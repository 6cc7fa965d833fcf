"""Read API for customers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader
from complaint_service.complaints import examples
from complaint_service.complaints import repository as complaint_repository
from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import encode_cursor
from complaint_service.customers import service as customer_service
from complaint_service.customers.schemas import CustomerOut, IdentityOut

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get(
    "/{customer_id}",
    summary="Get a customer with identities and recent complaints",
    description="Identities are masked unless the key has `pii:read`. Further complaints: "
    "`GET /v1/complaints?customer_id=…&cursor=complaints_next_cursor`.",
    response_model=CustomerOut,
    responses={**example_response(examples.CUSTOMER), **problem_responses(401, 403, 404, 422, 503)},
)
async def get_customer(
    request: Request,
    session: DbSession,
    principal: Reader,
    customer_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=200, description="How many complaints to include.")] = 50,
) -> CustomerOut:
    customer = await customer_service.get_customer(session, customer_id=customer_id)
    if customer is None:
        raise NotFound(f"No customer {customer_id}.")
    rows, last = await complaint_repository.list_page(
        session,
        where=complaint_repository.ComplaintFilter(
            customer_id=customer_id, visible_departments=principal.visible_departments
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
        identities=[IdentityOut.build(i, reveal_pii=reveal) for i in customer.identities],
        complaints=[ComplaintOut.build(c, reveal_pii=reveal) for c in rows],
        complaints_next_cursor=encode_cursor(last) if last else None,
    )
