"""The handling API: assign, claim, reply, note, move through the lifecycle, edit, and bulk actions.

Every change takes an optional `If-Match` with the `ETag` (version) read before; a complaint changed
since is refused with 412, never silently overwritten. The complaint row is locked for the change,
so two agents acting at once are serialised and the second one sees 412 (or, without If-Match, the
state the first one left).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from complaint_service.auth.dependencies import Reader, Supervisor
from complaint_service.auth.scopes import Principal, Role
from complaint_service.complaints import access, examples, handling, lifecycle, replies
from complaint_service.complaints.commands import (
    AssignIn,
    BulkIn,
    BulkOut,
    CloseIn,
    ComplaintPatch,
    NoteIn,
    ReopenIn,
    ReplyIn,
    ResolveIn,
    StatusIn,
)
from complaint_service.complaints.schemas import ComplaintOut, MessageOut
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, check_if_match, etag, flush_versioned
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import Forbidden, problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.knowledge import service as knowledge_service
from complaint_service.models import Complaint
from complaint_service.models.enums import ComplaintStatus, Visibility

router = APIRouter(prefix="/v1/complaints", tags=["handling"])
ACTION_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 413, 422, 503)
COMPLAINT_RESPONSE = {**example_response(examples.COMPLAINT, headers=ETAG_HEADER), **ACTION_PROBLEMS}


async def _for_change(
    session: DbSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    complaint = await access.load_visible(session, principal, complaint_id, for_update=True)
    check_if_match(if_match, version=complaint.version)
    return complaint


async def _done(
    session: DbSession, response: Response, principal: Principal, complaint: Complaint
) -> ComplaintOut:
    await flush_versioned(session)
    await session.refresh(complaint)
    response.headers["ETag"] = etag(complaint.version)
    return ComplaintOut.build(complaint, reveal_pii=principal.sees_pii)


@router.post(
    "/{complaint_id}/assign",
    summary="Assign or reassign a complaint",
    description="Team leads and above hand the complaint to a person who works for its department "
    "(supervisors and managers may take any). The previous assignee's capacity is freed.",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def assign_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: AssignIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    await handling.assign(session, principal, complaint, assignee_id=body.assignee_id, note=body.note)
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/claim",
    summary="Claim a complaint for yourself",
    description="A person takes an unassigned complaint of their department (409 when a colleague "
    "already has it; team leads may take it over).",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def claim_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    await handling.claim(session, principal, complaint)
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/status",
    summary="Move a complaint between working states",
    description="`in_progress` ⇄ `pending_customer`. Waiting on the customer pauses the SLA clocks; "
    "their answer (or this action) resumes them. Impossible moves are refused with 409 "
    "`invalid-transition`, listing what is allowed next.",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def change_status(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: StatusIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    await lifecycle.transition(
        session, complaint, ComplaintStatus(body.status), actor=principal.actor, data={"reason": body.reason}
    )
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/resolve",
    summary="Resolve a complaint",
    description="Needs a resolution code and a summary. Meets the resolution clock, frees the assignee's "
    "capacity and sends the satisfaction survey. The complaint closes by itself after the configured quiet "
    "period unless the customer writes again, which reopens it.",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def resolve_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: ResolveIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    await lifecycle.resolve(
        session, complaint, code=body.code.value, summary=body.summary, actor=principal.actor
    )
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/close",
    summary="Close a complaint",
    description="Closes a resolved complaint now rather than after the quiet period. Supervisors may also "
    "close an open complaint outright (e.g. withdrawn), which cancels its SLA clocks.",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def close_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: CloseIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    administrative = complaint.status in lifecycle.OPEN
    if administrative and not principal.at_least(Role.supervisor):
        raise Forbidden("Only supervisors close open complaints; resolve it instead.")
    await lifecycle.close(
        session,
        complaint,
        actor=principal.actor,
        reason=body.reason,
        administrative=administrative,
        code=body.code.value if body.code else None,
    )
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/reopen",
    summary="Reopen a resolved or closed complaint",
    description="Back to its assignee (in progress) or to the department queue; the resolution clock starts "
    "again and the reopen is counted (it lowers the resolution rate).",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def reopen_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: ReopenIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    await lifecycle.reopen(session, complaint, actor=principal.actor, reason=body.reason)
    return await _done(session, response, principal, complaint)


@router.patch(
    "/{complaint_id}",
    summary="Change urgency, category or tags",
    description="Only the fields sent change. New urgency or category moves the live SLA clocks by the "
    "change of their targets (time already used and pauses are kept).",
    response_model=ComplaintOut,
    responses=COMPLAINT_RESPONSE,
)
async def patch_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: ComplaintPatch,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    await handling.patch(session, complaint, body, actor=principal.actor)
    return await _done(session, response, principal, complaint)


@router.post(
    "/{complaint_id}/replies",
    summary="Reply to the customer",
    description="Sent through the complaint's original channel by the channel adapters' webhooks "
    "(`message.outbound`). Meets the first- and next-response clocks; an assigned complaint moves to "
    "in progress; `then: pending_customer` waits for the customer's answer with the clocks paused.",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses={**example_response(examples.MESSAGE, status=201, headers=ETAG_HEADER), **ACTION_PROBLEMS},
)
async def reply_to_customer(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: ReplyIn,
    response: Response,
    if_match: IfMatch = None,
) -> MessageOut:
    complaint = await _for_change(session, principal, complaint_id, if_match)
    handling.ensure_can_work(principal, complaint)
    message = await replies.reply(
        session,
        complaint,
        body=body.body,
        actor=principal.actor,
        visibility=Visibility.public,
    )
    if body.solution_id is not None:
        await knowledge_service.record_use(
            session,
            solution_id=body.solution_id,
            complaint=complaint,
            actor=principal.actor,
            message_id=message.id,
        )
    if body.then is not None and complaint.status != body.then.value:
        await lifecycle.transition(session, complaint, ComplaintStatus(body.then), actor=principal.actor)
    await _done(session, response, principal, complaint)
    return MessageOut.build(message, reveal_pii=principal.sees_pii)


@router.post(
    "/{complaint_id}/notes",
    summary="Add an internal note",
    description="Seen by colleagues only, never sent to the customer. Anyone who can see the complaint may "
    "add one.",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses={
        **example_response(examples.NOTE, status=201),
        **problem_responses(401, 403, 404, 413, 422, 503),
    },
)
async def add_note(
    session: DbSession, principal: Reader, complaint_id: uuid.UUID, body: NoteIn
) -> MessageOut:
    complaint = await access.load_visible(session, principal, complaint_id)
    message = await replies.reply(
        session, complaint, body=body.body, actor=principal.actor, visibility=Visibility.internal
    )
    return MessageOut.build(message, reveal_pii=principal.sees_pii)


@router.post(
    "/bulk",
    summary="Apply one action to a filtered set of complaints",
    description="Supervisors reassign, change urgency or close up to the configured limit of complaints "
    "at once. Each complaint follows the same rules as one at a time; the ones that cannot change (or are "
    "being edited right now) are listed in `skipped` with the reason.",
    response_model=BulkOut,
    responses={
        **example_response(
            {
                "matched": 2,
                "changed": 1,
                "skipped": [{"id": examples.COMPLAINT_ID, "reason": "already so"}],
                "truncated": False,
            }
        ),
        **problem_responses(401, 403, 413, 422, 503),
    },
)
async def bulk_action(
    session: DbSession, settings: AppSettings, principal: Supervisor, body: BulkIn
) -> BulkOut:
    return await handling.bulk(session, principal, body, limit=settings.lifecycle.bulk_limit)
