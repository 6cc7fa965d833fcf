"""Read API for complaints: list with filters and keyset cursors, detail, messages, timeline."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader
from complaint_service.auth.scopes import Principal
from complaint_service.complaints import access, examples, repository, timeline
from complaint_service.complaints.filters import ComplaintQuery
from complaint_service.complaints.schemas import ComplaintOut, EventOut, MessageOut
from complaint_service.core.db import DbSession
from complaint_service.core.etags import etag
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models import Complaint

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])
READ_PROBLEMS = problem_responses(400, 401, 403, 422, 503)
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=64, description="`next_cursor` of the previous page.")]


def revealed(complaint: Complaint) -> Revealed:
    return Revealed(
        complaint_id=complaint.id,
        customer_id=complaint.customer_id,
        texts=(complaint.subject, complaint.body) if complaint.has_pii else (),
    )


async def _audit_thread(
    session: DbSession,
    principal: Principal,
    request: Request,
    complaint: Complaint,
    resource: str,
    texts: Sequence[str | None],
) -> None:
    await record_reveals(
        session,
        principal,
        request,
        resource=resource,
        items=[Revealed(complaint_id=complaint.id, customer_id=complaint.customer_id, texts=tuple(texts))],
    )


@router.get(
    "",
    summary="List complaints",
    description="Newest first. Filters combine with AND; repeated values of one filter combine with OR. "
    "Pages are keyset-based: complaints arriving while you page never shift or repeat items.",
    response_model=Page[ComplaintOut],
    responses={**example_response(examples.page(examples.COMPLAINT)), **READ_PROBLEMS},
)
async def list_complaints(
    request: Request,
    session: DbSession,
    principal: Reader,
    where: ComplaintQuery,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ComplaintOut]:
    rows, last = await repository.list_page(
        session, where=where, before=decode_cursor(cursor) if cursor else None, limit=limit
    )
    await record_reveals(session, principal, request, resource="complaint", items=map(revealed, rows))
    return Page[ComplaintOut](
        items=[ComplaintOut.build(c, reveal_pii=principal.sees_pii) for c in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.get(
    "/{complaint_id}",
    summary="Get one complaint",
    response_model=ComplaintOut,
    description="People see their departments' complaints (403 otherwise), and those an open collaboration "
    "request asks their department about; supervisors and integrations see all. The `ETag` is the version "
    "to send as `If-Match` with a change.",
    responses={
        **example_response(examples.COMPLAINT, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def get_complaint(
    request: Request, response: Response, session: DbSession, principal: Reader, complaint_id: uuid.UUID
) -> ComplaintOut:
    complaint = await access.load_readable(session, principal, complaint_id)
    await record_reveals(session, principal, request, resource="complaint", items=[revealed(complaint)])
    response.headers["ETag"] = etag(complaint.version)
    return ComplaintOut.build(complaint, reveal_pii=principal.sees_pii)


@router.get(
    "/{complaint_id}/messages",
    summary="List a complaint's messages, oldest first",
    response_model=Page[MessageOut],
    responses={
        **example_response(examples.page(examples.MESSAGE)),
        **problem_responses(400, 401, 403, 404, 422, 503),
    },
)
async def list_complaint_messages(
    request: Request,
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[MessageOut]:
    complaint = await access.load_readable(session, principal, complaint_id)
    rows = await repository.list_messages(
        session, complaint_id=complaint_id, after=decode_cursor(cursor) if cursor else None, limit=limit
    )
    await _audit_thread(session, principal, request, complaint, "messages", [m.body for m in rows])
    return Page[MessageOut](
        items=[MessageOut.build(m, reveal_pii=principal.sees_pii) for m in rows],
        next_cursor=encode_cursor(rows[-1].id) if len(rows) == limit else None,
    )


@router.get(
    "/{complaint_id}/timeline",
    summary="Get a complaint's timeline, oldest first",
    description="Append-only events: receipt, messages, and every later decision "
    "with its actor and request id.",
    response_model=Page[EventOut],
    responses={
        **example_response(examples.page(examples.EVENT)),
        **problem_responses(400, 401, 403, 404, 422, 503),
    },
)
async def get_timeline(
    request: Request,
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[EventOut]:
    complaint = await access.load_readable(session, principal, complaint_id)
    rows = await timeline.list_events(
        session, complaint_id=complaint_id, after=decode_cursor(cursor) if cursor else None, limit=limit
    )
    texts = [json.dumps(e.data, ensure_ascii=False) for e in rows]
    await _audit_thread(session, principal, request, complaint, "timeline", texts)
    return Page[EventOut](
        items=[EventOut.build(e, reveal_pii=principal.sees_pii) for e in rows],
        next_cursor=encode_cursor(rows[-1].id) if len(rows) == limit else None,
    )
