"""Collaboration API: ask a department for help on a complaint; its inbox; answer, decline or cancel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader
from complaint_service.auth.scopes import Principal
from complaint_service.collaboration import examples, permissions, repository, service
from complaint_service.collaboration.repository import RequestView
from complaint_service.collaboration.schemas import (
    CollaborationAnswerIn,
    CollaborationCancelIn,
    CollaborationDeclineIn,
    CollaborationIn,
    CollaborationOut,
)
from complaint_service.complaints import access
from complaint_service.complaints.examples import page
from complaint_service.complaints.router import Cursor, Limit
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, check_if_match, etag, flush_versioned
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models import CollaborationRequest
from complaint_service.models.collaboration import CollaborationStatus
from complaint_service.routing.schemas import DepartmentKey

router = APIRouter(tags=["collaboration"])
ACTION_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 413, 422, 503)
ACTION_RESPONSES = {**example_response(examples.REQUEST, headers=ETAG_HEADER), **ACTION_PROBLEMS}
IF_MATCH_NOTE = (
    " Send the `ETag` you read as `If-Match` to refuse the change (412) when the request changed since; "
    "a request that is no longer open is refused with 409."
)


async def _present(
    session: DbSession, principal: Principal, http_request: Request, views: Sequence[RequestView]
) -> list[CollaborationOut]:
    """Question, answer and reason are free text: unmasked only for `pii:read`, and then audited."""
    await record_reveals(
        session,
        principal,
        http_request,
        resource="collaboration_request",
        items=[
            Revealed(
                complaint_id=v.request.complaint_id,
                texts=(v.request.question, v.request.answer, v.request.reason),
            )
            for v in views
        ],
    )
    return [CollaborationOut.build(v, reveal_pii=principal.sees_pii) for v in views]


async def _view(session: DbSession, request_id: uuid.UUID) -> RequestView:
    view = await repository.get_view(session, request_id=request_id)
    if view is None:
        raise NotFound(f"No collaboration request {request_id}.")
    return view


async def _one(
    session: DbSession, principal: Principal, http_request: Request, response: Response, view: RequestView
) -> CollaborationOut:
    response.headers["ETag"] = etag(view.request.version)
    (out,) = await _present(session, principal, http_request, [view])
    return out


async def _for_change(session: DbSession, request_id: uuid.UUID) -> CollaborationRequest:
    """Locked: an answer and a decline arriving together are serialised, and the second one sees 409."""
    request = await repository.get_for_update(session, request_id=request_id)
    if request is None:
        raise NotFound(f"No collaboration request {request_id}.")
    return request


@router.post(
    "/v1/complaints/{complaint_id}/collaborations",
    summary="Ask another department for help on a complaint",
    description="Anyone who works the complaint asks a department a question by a deadline. The deadline "
    "defaults to the department's configured answer target in its business hours (tech: 2 h); give "
    "`answer_within_minutes` (business minutes) or an exact `due_at` instead. A complaint whose SLA runs "
    "around the clock (P1) gets its answer around the clock. The request warns as the complaint's SLA "
    "policy warns (75 %, 90 %) and breaches at the deadline (`collaboration.warning`, "
    "`collaboration.breached`, naming the asked department's team leads); while it is open, the asked "
    "department may read the complaint. A closed complaint takes no requests (409).",
    status_code=status.HTTP_201_CREATED,
    response_model=CollaborationOut,
    responses={
        **example_response(examples.OPEN_REQUEST, status=201, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 409, 413, 422, 503),
    },
)
async def create_collaboration(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: CollaborationIn,
    response: Response,
    http_request: Request,
) -> CollaborationOut:
    complaint = await access.load_visible(session, principal, complaint_id, for_update=True)
    request = await service.request_help(
        session,
        principal,
        complaint,
        to_department=body.to_department,
        question=body.question,
        within_minutes=body.answer_within_minutes,
        due_at=body.due_at,
    )
    response.headers["Location"] = f"/v1/collaborations/{request.id}"
    return await _one(session, principal, http_request, response, await _view(session, request.id))


@router.get(
    "/v1/complaints/{complaint_id}/collaborations",
    summary="List a complaint's collaboration requests, oldest first",
    description="Every request on the complaint, open or not. Readable by whoever may read the complaint, "
    "including a department an open request asks.",
    response_model=Page[CollaborationOut],
    responses={
        **example_response(page(examples.REQUEST)),
        **problem_responses(400, 401, 403, 404, 422, 503),
    },
)
async def list_complaint_collaborations(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    http_request: Request,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CollaborationOut]:
    await access.load_readable(session, principal, complaint_id)
    views = await repository.list_for_complaint(
        session, complaint_id=complaint_id, after=decode_cursor(cursor) if cursor else None, limit=limit
    )
    return Page[CollaborationOut](
        items=await _present(session, principal, http_request, views),
        next_cursor=encode_cursor(views[-1].request.id) if len(views) == limit else None,
    )


@router.get(
    "/v1/collaborations",
    summary="A department's collaboration inbox, oldest first",
    description="Requests asked of `department` (repeat it for several), by `status` (e.g. `open`). People "
    "see the departments they work for, and by default all of them; supervisors and integrations see "
    "every department. Keyset-paged: requests arriving while you page never shift or repeat items.",
    response_model=Page[CollaborationOut],
    responses={
        **example_response(page(examples.OPEN_REQUEST)),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_collaborations(
    session: DbSession,
    principal: Reader,
    http_request: Request,
    department: Annotated[list[DepartmentKey] | None, Query(description="The department asked.")] = None,
    status: Annotated[list[CollaborationStatus] | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CollaborationOut]:
    views, last = await repository.list_inbox(
        session,
        departments=permissions.inbox_departments(principal, department),
        statuses=[s.value for s in status or ()],
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return Page[CollaborationOut](
        items=await _present(session, principal, http_request, views),
        next_cursor=encode_cursor(last) if last else None,
    )


@router.get(
    "/v1/collaborations/{request_id}",
    summary="Get one collaboration request",
    description="For both sides: whoever may read the complaint, and the departments asking and asked.",
    response_model=CollaborationOut,
    responses={
        **example_response(examples.REQUEST, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_collaboration(
    session: DbSession, principal: Reader, request_id: uuid.UUID, response: Response, http_request: Request
) -> CollaborationOut:
    view = await _view(session, request_id)
    permissions.ensure_can_read(principal, view.request, view.complaint_department)
    return await _one(session, principal, http_request, response, view)


@router.post(
    "/v1/collaborations/{request_id}/answer",
    summary="Answer a collaboration request",
    description="People of the department asked (or supervisors) answer; the deadline's pending warning "
    "and breach never fire. The answer lands on the complaint's timeline." + IF_MATCH_NOTE,
    response_model=CollaborationOut,
    responses=ACTION_RESPONSES,
)
async def answer_collaboration(
    session: DbSession,
    principal: Reader,
    request_id: uuid.UUID,
    body: CollaborationAnswerIn,
    response: Response,
    http_request: Request,
    if_match: IfMatch = None,
) -> CollaborationOut:
    request = await _for_change(session, request_id)
    permissions.ensure_can_respond(principal, request)
    check_if_match(if_match, version=request.version)
    await service.answer(session, principal, request, text=body.answer)
    await flush_versioned(session)
    return await _one(session, principal, http_request, response, await _view(session, request_id))


@router.post(
    "/v1/collaborations/{request_id}/decline",
    summary="Decline a collaboration request",
    description="The department asked (or a supervisor) says why it cannot help, e.g. that another "
    "department should be asked; the deadline stops." + IF_MATCH_NOTE,
    response_model=CollaborationOut,
    responses=ACTION_RESPONSES,
)
async def decline_collaboration(
    session: DbSession,
    principal: Reader,
    request_id: uuid.UUID,
    body: CollaborationDeclineIn,
    response: Response,
    http_request: Request,
    if_match: IfMatch = None,
) -> CollaborationOut:
    request = await _for_change(session, request_id)
    permissions.ensure_can_respond(principal, request)
    check_if_match(if_match, version=request.version)
    await service.decline(session, principal, request, reason=body.reason)
    await flush_versioned(session)
    return await _one(session, principal, http_request, response, await _view(session, request_id))


@router.post(
    "/v1/collaborations/{request_id}/cancel",
    summary="Withdraw a collaboration request",
    description="The asking side (the requester, the complaint's or the asking department's people, "
    "supervisors) withdraws a request it no longer needs; the deadline stops. Closing the complaint "
    "withdraws its open requests too." + IF_MATCH_NOTE,
    response_model=CollaborationOut,
    responses=ACTION_RESPONSES,
)
async def cancel_collaboration(
    session: DbSession,
    principal: Reader,
    request_id: uuid.UUID,
    response: Response,
    http_request: Request,
    body: CollaborationCancelIn | None = None,
    if_match: IfMatch = None,
) -> CollaborationOut:
    request = await _for_change(session, request_id)
    department = await repository.complaint_department(session, complaint_id=request.complaint_id)
    permissions.ensure_can_cancel(principal, request, department)
    check_if_match(if_match, version=request.version)
    await service.cancel(session, principal, request, reason=body.reason if body else None)
    await flush_versioned(session)
    return await _one(session, principal, http_request, response, await _view(session, request_id))
