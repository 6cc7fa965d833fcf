"""Compensation API: propose on a complaint, list, and approve, reject, grant or cancel.

People who can see the complaint propose, grant and cancel; supervisors approve and reject, and
read the queue of proposals waiting for them. API keys act only with the `admin` scope.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader, Supervisor
from complaint_service.auth.scopes import Principal, Role
from complaint_service.compensation import examples, repository, service
from complaint_service.compensation.schemas import (
    CancelIn,
    CompensationIn,
    CompensationOut,
    DecisionIn,
    GrantIn,
)
from complaint_service.complaints import access
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, check_if_match, etag, flush_versioned
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import Forbidden, problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models import Compensation, Complaint
from complaint_service.models.enums import CompensationStatus, Department

router = APIRouter(tags=["compensation"])
ACTION_RESPONSES = {
    **example_response(examples.COMPENSATION, headers=ETAG_HEADER),
    **problem_responses(401, 403, 404, 409, 412, 413, 422, 503),
}


def _ensure_person(principal: Principal) -> None:
    if not principal.at_least(Role.agent):
        raise Forbidden("Compensation is handled by people (or an API key with the `admin` scope).")


async def _audit(
    session: DbSession,
    principal: Principal,
    request: Request,
    rows: list[tuple[Compensation, Complaint | None]],
) -> None:
    """Notes are free text an agent typed: a phone number in one is unmasked only with audit."""
    await record_reveals(
        session,
        principal,
        request,
        resource="compensation",
        items=[
            Revealed(
                complaint_id=c.complaint_id,
                customer_id=complaint.customer_id if complaint else None,
                texts=(c.note, c.decision_note),
            )
            for c, complaint in rows
        ],
    )


async def _out(
    session: DbSession,
    principal: Principal,
    request: Request,
    response: Response,
    compensation: Compensation,
    complaint: Complaint,
) -> CompensationOut:
    await flush_versioned(session)
    await session.refresh(compensation)
    await _audit(session, principal, request, [(compensation, complaint)])
    response.headers["ETag"] = etag(compensation.version)
    return CompensationOut.build(compensation, reveal_pii=principal.sees_pii)


async def _for_action(
    session: DbSession, principal: Principal, compensation_id: uuid.UUID, if_match: str | None
) -> tuple[Compensation, Complaint]:
    """Locked: two supervisors deciding at once are serialised, and the second sees the first's decision."""
    compensation = await service.load(session, compensation_id=compensation_id, for_update=True)
    complaint = await access.load_visible(session, principal, compensation.complaint_id)
    check_if_match(if_match, version=compensation.version)
    return compensation, complaint


@router.post(
    "/v1/complaints/{complaint_id}/compensations",
    summary="Propose compensation",
    description="A coupon, refund or gift (`amount` and ISO 4217 `currency`) or points. Above the configured "
    "limit of its currency (e.g. 200 CNY) it waits for a supervisor (`pending_approval`); otherwise it is "
    "`offered` and can be granted at once.",
    status_code=status.HTTP_201_CREATED,
    response_model=CompensationOut,
    responses={
        **example_response(examples.COMPENSATION_PENDING, status=201, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 413, 422, 503),
    },
)
async def propose_compensation(
    request: Request,
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: CompensationIn,
    response: Response,
) -> CompensationOut:
    _ensure_person(principal)
    complaint = await access.load_visible(session, principal, complaint_id)
    compensation = await service.propose(session, complaint, data=body, actor=principal.actor)
    return await _out(session, principal, request, response, compensation, complaint)


@router.get(
    "/v1/complaints/{complaint_id}/compensations",
    summary="List a complaint's compensation",
    description="Oldest first, in every status.",
    response_model=list[CompensationOut],
    responses={**example_response([examples.COMPENSATION]), **problem_responses(401, 403, 404, 422, 503)},
)
async def list_complaint_compensations(
    request: Request, session: DbSession, principal: Reader, complaint_id: uuid.UUID
) -> list[CompensationOut]:
    complaint = await access.load_visible(session, principal, complaint_id)
    rows = await repository.for_complaint(session, complaint_id=complaint.id)
    await _audit(session, principal, request, [(c, complaint) for c in rows])
    return [CompensationOut.build(c, reveal_pii=principal.sees_pii) for c in rows]


@router.get(
    "/v1/compensations",
    summary="List compensation (the approval queue)",
    description="Supervisors list compensation across complaints, newest first; "
    "`status=pending_approval` is what waits for them.",
    response_model=Page[CompensationOut],
    responses={
        **example_response(examples.page(examples.COMPENSATION_PENDING)),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_compensations(
    request: Request,
    session: DbSession,
    principal: Supervisor,
    status: CompensationStatus | None = None,
    department: Department | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[CompensationOut]:
    rows, last = await repository.list_page(
        session,
        status=status.value if status else None,
        department=department.value if department else None,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    await _audit(session, principal, request, [(c, None) for c in rows])
    return Page[CompensationOut](
        items=[CompensationOut.build(c, reveal_pii=principal.sees_pii) for c in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.get(
    "/v1/compensations/{compensation_id}",
    summary="Get one compensation",
    response_model=CompensationOut,
    responses={
        **example_response(examples.COMPENSATION, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_compensation(
    request: Request, response: Response, session: DbSession, principal: Reader, compensation_id: uuid.UUID
) -> CompensationOut:
    compensation = await service.load(session, compensation_id=compensation_id)
    complaint = await access.load_visible(session, principal, compensation.complaint_id)
    await _audit(session, principal, request, [(compensation, complaint)])
    response.headers["ETag"] = etag(compensation.version)
    return CompensationOut.build(compensation, reveal_pii=principal.sees_pii)


@router.post(
    "/v1/compensations/{compensation_id}/approve",
    summary="Approve compensation (supervisors)",
    description="Only one waiting for approval (409 otherwise); it can then be granted.",
    response_model=CompensationOut,
    responses=ACTION_RESPONSES,
)
async def approve_compensation(
    request: Request,
    response: Response,
    session: DbSession,
    principal: Supervisor,
    compensation_id: uuid.UUID,
    body: DecisionIn,
    if_match: IfMatch = None,
) -> CompensationOut:
    compensation, complaint = await _for_action(session, principal, compensation_id, if_match)
    await service.decide(
        session, complaint, compensation, approve=True, note=body.note, actor=principal.actor
    )
    return await _out(session, principal, request, response, compensation, complaint)


@router.post(
    "/v1/compensations/{compensation_id}/reject",
    summary="Reject compensation (supervisors)",
    description="Only one waiting for approval (409 otherwise); it can then never be granted.",
    response_model=CompensationOut,
    responses=ACTION_RESPONSES,
)
async def reject_compensation(
    request: Request,
    response: Response,
    session: DbSession,
    principal: Supervisor,
    compensation_id: uuid.UUID,
    body: DecisionIn,
    if_match: IfMatch = None,
) -> CompensationOut:
    compensation, complaint = await _for_action(session, principal, compensation_id, if_match)
    await service.decide(
        session, complaint, compensation, approve=False, note=body.note, actor=principal.actor
    )
    return await _out(session, principal, request, response, compensation, complaint)


@router.post(
    "/v1/compensations/{compensation_id}/grant",
    summary="Record compensation as granted",
    description="The coupon was sent, the refund made, the points or gift given. Compensation waiting for a "
    "supervisor's approval, or rejected, cannot be granted (409).",
    response_model=CompensationOut,
    responses=ACTION_RESPONSES,
)
async def grant_compensation(
    request: Request,
    response: Response,
    session: DbSession,
    principal: Reader,
    compensation_id: uuid.UUID,
    body: GrantIn,
    if_match: IfMatch = None,
) -> CompensationOut:
    _ensure_person(principal)
    compensation, complaint = await _for_action(session, principal, compensation_id, if_match)
    await service.grant(session, complaint, compensation, reference=body.reference, actor=principal.actor)
    return await _out(session, principal, request, response, compensation, complaint)


@router.post(
    "/v1/compensations/{compensation_id}/cancel",
    summary="Cancel compensation",
    description="Withdraws compensation not granted yet (409 for granted, rejected or cancelled ones).",
    response_model=CompensationOut,
    responses=ACTION_RESPONSES,
)
async def cancel_compensation(
    request: Request,
    response: Response,
    session: DbSession,
    principal: Reader,
    compensation_id: uuid.UUID,
    body: CancelIn,
    if_match: IfMatch = None,
) -> CompensationOut:
    _ensure_person(principal)
    compensation, complaint = await _for_action(session, principal, compensation_id, if_match)
    await service.cancel(session, complaint, compensation, reason=body.reason, actor=principal.actor)
    return await _out(session, principal, request, response, compensation, complaint)
