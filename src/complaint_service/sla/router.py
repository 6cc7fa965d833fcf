"""Admin API for SLA policies; reads need `complaints:read`, writes `admin`."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from complaint_service.auth.dependencies import Admin, Reader
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, etag
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import Page
from complaint_service.models import SlaPolicy
from complaint_service.sla import admin
from complaint_service.sla.schemas import POLICY_EXAMPLE, PolicyCreate, PolicyOut, PolicyUpdate

router = APIRouter(prefix="/v1/sla/policies", tags=["sla"])


def _example(example: Any, *, status: int = 200) -> dict[int | str, dict[str, Any]]:
    return example_response(example, status=status, headers=ETAG_HEADER)


async def _policy(session: DbSession, policy_id: uuid.UUID) -> SlaPolicy:
    policy = await admin.get_policy(session, policy_id=policy_id)
    if policy is None:
        raise NotFound(f"No SLA policy {policy_id}.")
    return policy


def _out(response: Response, policy: SlaPolicy) -> PolicyOut:
    response.headers["ETag"] = etag(policy.version)
    return PolicyOut.model_validate(policy)


@router.get(
    "",
    summary="List SLA policies in matching order",
    description="All policies, lowest position first, on one page. For each target, calendar, warning list "
    "and escalation ladder, a complaint gets the value of the first enabled matching policy that sets it.",
    response_model=Page[PolicyOut],
    responses={
        200: {"content": {"application/json": {"example": {"items": [POLICY_EXAMPLE], "next_cursor": None}}}},
        **problem_responses(401, 403, 503),
    },
)
async def list_policies(session: DbSession, _: Reader) -> Page[PolicyOut]:
    rows = await admin.list_policies(session)
    return Page[PolicyOut](items=[PolicyOut.model_validate(p) for p in rows])


@router.post(
    "",
    summary="Create an SLA policy",
    description="Applies to SLA clocks started after the commit. Fields left null inherit from the next "
    "matching policy; a policy without conditions is a default that matches every complaint.",
    status_code=status.HTTP_201_CREATED,
    response_model=PolicyOut,
    responses={**_example(POLICY_EXAMPLE, status=201), **problem_responses(401, 403, 413, 422, 503)},
)
async def create_policy(session: DbSession, _: Admin, body: PolicyCreate, response: Response) -> PolicyOut:
    policy = await admin.create_policy(session, data=body)
    response.headers["Location"] = f"/v1/sla/policies/{policy.id}"
    return _out(response, policy)


@router.get(
    "/{policy_id}",
    summary="Get one SLA policy",
    response_model=PolicyOut,
    responses={**_example(POLICY_EXAMPLE), **problem_responses(401, 403, 404, 422, 503)},
)
async def get_policy(session: DbSession, _: Reader, policy_id: uuid.UUID, response: Response) -> PolicyOut:
    return _out(response, await _policy(session, policy_id))


@router.patch(
    "/{policy_id}",
    summary="Change an SLA policy",
    description="Only the fields sent change, each as a whole (`targets` replaces every urgency's targets); "
    "`calendar`, `warnings` and `escalation` may be set to null to inherit. Send the `ETag` you read as "
    "`If-Match` to refuse the change (412) when someone else changed the policy first. A change that "
    "leaves some urgency without a default target is refused (409).",
    response_model=PolicyOut,
    responses={**_example(POLICY_EXAMPLE), **problem_responses(401, 403, 404, 409, 412, 413, 422, 503)},
)
async def update_policy(
    session: DbSession,
    _: Admin,
    policy_id: uuid.UUID,
    body: PolicyUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> PolicyOut:
    policy = await admin.update_policy(
        session, policy=await _policy(session, policy_id), changes=body, if_match=if_match
    )
    return _out(response, policy)


@router.delete(
    "/{policy_id}",
    summary="Delete an SLA policy",
    description="Running clocks keep their targets. Deleting the last default (a policy without conditions) "
    "is refused (409): every complaint needs targets.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def delete_policy(session: DbSession, _: Admin, policy_id: uuid.UUID, if_match: IfMatch = None) -> None:
    await admin.delete_policy(session, policy=await _policy(session, policy_id), if_match=if_match)
