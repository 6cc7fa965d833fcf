"""Admin API for webhooks: endpoints with one-time secrets, deliveries, dead letters and redelivery."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from complaint_service.auth.dependencies import Admin
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models.enums import DeliveryStatus
from complaint_service.outbound import endpoints, examples, repository
from complaint_service.outbound import service as outbound_service
from complaint_service.outbound.schemas import DeliveryOut, EndpointCreate, EndpointOut, EndpointUpdate

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
SIGNING = (
    ' Requests are signed: see `X-Complaint-Signature` (`t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>`).'
)


@router.post(
    "/endpoints",
    status_code=201,
    summary="Register a webhook endpoint",
    description="An endpoint receives the customer messages of its `channels` (`message.outbound`, for "
    "channel adapters) and the events in `event_types` (for subscribers). The secret is in this answer only."
    + SIGNING,
    response_model=EndpointOut,
    responses={
        **example_response(status=201, example=examples.ENDPOINT_WITH_SECRET),
        **problem_responses(401, 403, 422, 503),
    },
)
async def create_endpoint(session: DbSession, principal: Admin, spec: EndpointCreate) -> EndpointOut:
    return EndpointOut.build(await endpoints.create(session, spec=spec), reveal_secret=True)


@router.get(
    "/endpoints",
    summary="List webhook endpoints",
    description="All endpoints, oldest first; secrets appear as a prefix only.",
    response_model=list[EndpointOut],
    responses={
        **example_response([examples.ENDPOINT]),
        **problem_responses(401, 403, 503),
    },
)
async def list_endpoints(session: DbSession, principal: Admin) -> list[EndpointOut]:
    return [EndpointOut.build(e) for e in await repository.list_endpoints(session)]


@router.get(
    "/endpoints/{endpoint_id}",
    summary="Get a webhook endpoint",
    response_model=EndpointOut,
    responses={
        **example_response(examples.ENDPOINT),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_endpoint(session: DbSession, principal: Admin, endpoint_id: uuid.UUID) -> EndpointOut:
    return EndpointOut.build(await endpoints.load(session, endpoint_id=endpoint_id))


@router.patch(
    "/endpoints/{endpoint_id}",
    summary="Change, disable or rotate the secret of a webhook endpoint",
    description="Only the fields sent change. With `rotate_secret: true` the new secret is in this answer "
    "only; every attempt from now on is signed with it. A disabled endpoint's pending deliveries are "
    "dead-lettered when they come up; redeliver them after enabling it again.",
    response_model=EndpointOut,
    responses={
        **example_response(examples.ENDPOINT_WITH_SECRET),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def update_endpoint(
    session: DbSession, principal: Admin, endpoint_id: uuid.UUID, spec: EndpointUpdate
) -> EndpointOut:
    endpoint = await endpoints.update(session, endpoint_id=endpoint_id, spec=spec)
    return EndpointOut.build(endpoint, reveal_secret=spec.rotate_secret)


@router.delete(
    "/endpoints/{endpoint_id}",
    status_code=204,
    summary="Delete a webhook endpoint and its deliveries",
    description="Deliveries are deleted with it; to stop sending but keep the history, disable it instead.",
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def delete_endpoint(session: DbSession, principal: Admin, endpoint_id: uuid.UUID) -> Response:
    await endpoints.delete(session, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.get(
    "/deliveries",
    summary="List webhook deliveries",
    description="Newest first, keyset-paged. `status=dead` lists the dead letters: deliveries whose retry "
    "window ran out, waiting for a redelivery.",
    response_model=Page[DeliveryOut],
    responses={
        **example_response(status=200, example=examples.page(examples.DELIVERY)),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_deliveries(
    session: DbSession,
    principal: Admin,
    status: DeliveryStatus | None = None,
    endpoint_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[DeliveryOut]:
    rows, last = await repository.list_deliveries(
        session,
        status=status,
        endpoint_id=endpoint_id,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return Page[DeliveryOut](
        items=[DeliveryOut.build(d) for d in rows], next_cursor=encode_cursor(last) if last else None
    )


@router.get(
    "/deliveries/{delivery_id}",
    summary="Get a webhook delivery",
    description="With its payload, attempt count, last error and last status code.",
    response_model=DeliveryOut,
    responses={
        **example_response(examples.DELIVERY),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_delivery(session: DbSession, principal: Admin, delivery_id: uuid.UUID) -> DeliveryOut:
    delivery = await repository.get_delivery(session, delivery_id=delivery_id)
    if delivery is None:
        raise NotFound(f"No webhook delivery {delivery_id}.")
    return DeliveryOut.build(delivery)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Redeliver a dead webhook delivery",
    description="Puts a dead delivery back to pending and tries it once more right away, with the same "
    "payload and delivery id. Its retry window is spent, so a failure dead-letters it again. "
    "Only dead deliveries can be redelivered (409 otherwise).",
    response_model=DeliveryOut,
    responses={
        **example_response(status=202, example=examples.REDELIVERED),
        **problem_responses(401, 403, 404, 409, 422, 503),
    },
)
async def redeliver(session: DbSession, principal: Admin, delivery_id: uuid.UUID) -> DeliveryOut:
    return DeliveryOut.build(await outbound_service.redeliver(session, delivery_id=delivery_id))
