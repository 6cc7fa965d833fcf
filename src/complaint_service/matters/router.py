"""One ticket per matter by hand: merge, unmerge and link complaints; list merges and links."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Reader
from complaint_service.auth.scopes import Principal
from complaint_service.complaints import access, handling
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, etag, flush_versioned
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page
from complaint_service.matters import examples, links, manual, repeats
from complaint_service.matters.schemas import ComplaintLinkIn, ComplaintLinkOut, MergeIn, MergeOut
from complaint_service.models import Complaint, ComplaintLink
from complaint_service.models.enums import LinkKind

router = APIRouter(prefix="/v1/complaints", tags=["matters"])
EDIT_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 422, 503)


async def _audit_notes(
    session: DbSession, principal: Principal, request: Request, pairs: list[tuple[ComplaintLink, Complaint]]
) -> None:
    """Link notes are free text an agent typed, so a phone number in one is unmasked only with audit."""
    await record_reveals(
        session,
        principal,
        request,
        resource="complaint_link",
        items=[
            Revealed(complaint_id=link.complaint_id, texts=(link.note,)) for link, _ in pairs if link.note
        ],
    )


def _merge_out(response: Response, view: manual.MergeView) -> MergeOut:
    record, source, target = view
    response.headers["ETag"] = etag(source.version)
    return MergeOut.build(record, source=source, target=target)


@router.post(
    "/{complaint_id}/merge",
    summary="Merge a complaint into the ticket of its matter",
    description="Moves every message of this complaint onto `into_id` and closes this one administratively "
    "(resolution code `merged`); reading it afterwards shows `merged_into_id`. Both must be open, visible to "
    "you and of one customer: merging complaints of different (or unknown) customers needs `force` and the "
    "supervisor role. Merging a complaint into itself, one already merged, or into a merged one is refused "
    "with 409. Send this complaint's `ETag` as `If-Match` to refuse the merge (412) when it changed since "
    "you read it. The `ETag` answered is this complaint's new version.",
    status_code=status.HTTP_201_CREATED,
    response_model=MergeOut,
    responses={**example_response(examples.MERGE, status=201, headers=ETAG_HEADER), **EDIT_PROBLEMS},
)
async def merge_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    body: MergeIn,
    response: Response,
    if_match: IfMatch = None,
) -> MergeOut:
    view = await manual.merge(
        session,
        principal=principal,
        source_id=complaint_id,
        into_id=body.into_id,
        force=body.force,
        if_match=if_match,
    )
    return _merge_out(response, view)


@router.post(
    "/{complaint_id}/unmerge",
    summary="Undo the merge of a complaint",
    description="Moves this complaint's own messages back from the ticket it was merged into and makes it a "
    "ticket again: one merged before triage goes through triage (and is never merged automatically again), "
    "one merged later reopens to its assignee or its department's queue. 409 when it is not merged; 412 "
    "when `If-Match` does not match this complaint's `ETag`.",
    response_model=MergeOut,
    responses={**example_response(examples.UNMERGED, headers=ETAG_HEADER), **EDIT_PROBLEMS},
)
async def unmerge_complaint(
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> MergeOut:
    view = await manual.unmerge(session, principal=principal, complaint_id=complaint_id, if_match=if_match)
    return _merge_out(response, view)


@router.get(
    "/{complaint_id}/merges",
    summary="List the merges into and out of a complaint",
    description="Oldest first, automatic and manual, including undone ones (`unmerged_at` set).",
    response_model=Page[MergeOut],
    responses={
        **example_response({"items": [examples.MERGE], "next_cursor": None}),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def list_merges(session: DbSession, principal: Reader, complaint_id: uuid.UUID) -> Page[MergeOut]:
    await access.load_visible(session, principal, complaint_id)
    rows = await manual.list_merges(session, complaint_id=complaint_id)
    return Page[MergeOut](items=[MergeOut.build(r, source=s, target=t) for r, s, t in rows])


@router.get(
    "/{complaint_id}/links",
    summary="List a complaint's links",
    description="Links in both directions, oldest first; `direction` says which way each one reads.",
    response_model=Page[ComplaintLinkOut],
    responses={
        **example_response({"items": [examples.LINK], "next_cursor": None}),
        **problem_responses(401, 403, 404, 422, 503),
    },
)
async def list_links(
    session: DbSession, principal: Reader, request: Request, complaint_id: uuid.UUID
) -> Page[ComplaintLinkOut]:
    await access.load_visible(session, principal, complaint_id)
    rows = list(await links.list_links(session, complaint_id=complaint_id))
    await _audit_notes(session, principal, request, rows)
    return Page[ComplaintLinkOut](
        items=[
            ComplaintLinkOut.build(link, viewer_id=complaint_id, other=other, reveal_pii=principal.sees_pii)
            for link, other in rows
        ]
    )


@router.post(
    "/{complaint_id}/links",
    summary="Link a complaint to another",
    description='Reads "this complaint is <kind> the related one". Idempotent: the same link again answers '
    "200 with the existing link. Both complaints must be visible to you; linking a complaint to itself is "
    "refused with 409. The link shows on both timelines.\n\n"
    "A new `repeat_of` link is a person recognising a repeat complaint: it needs someone who may work "
    "the complaint, the related one must have been received before it (else 409), and the complaint is "
    "flagged `repeat` (counted in the repeat rate), raised one urgency level while open (its SLA clocks "
    "re-timed) and escalated one level above a related complaint that was itself a repeat, as triage does "
    "with the repeats it finds. It keeps its department and assignee.",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintLinkOut,
    responses={
        **example_response(examples.LINK, status=201),
        200: {
            "description": "The link already existed.",
            "model": ComplaintLinkOut,
            "content": {"application/json": {"example": examples.LINK}},
        },
        **problem_responses(401, 403, 404, 409, 422, 503),
    },
)
async def link_complaint(
    session: DbSession,
    principal: Reader,
    request: Request,
    complaint_id: uuid.UUID,
    body: ComplaintLinkIn,
    response: Response,
) -> ComplaintLinkOut:
    repeat = body.kind is LinkKind.repeat_of
    complaint = await access.load_visible(session, principal, complaint_id, for_update=repeat)
    if repeat:
        handling.ensure_can_work(principal, complaint)
    related = await access.load_visible(session, principal, body.related_id)
    link, created = await links.link(
        session, complaint=complaint, related=related, kind=body.kind, actor=principal.actor, note=body.note
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    elif repeat:
        await repeats.mark_by_hand(session, complaint=complaint, earlier=related, actor=principal.actor)
        await flush_versioned(session)
    await _audit_notes(session, principal, request, [(link, related)])
    return ComplaintLinkOut.build(link, viewer_id=complaint_id, other=related, reveal_pii=principal.sees_pii)


@router.delete(
    "/{complaint_id}/links/{link_id}",
    summary="Remove a link",
    description="Either complaint of the link may name it; the removal shows on both timelines. Removing "
    "the `repeat_of` link a complaint's repeat mark rests on takes the mark off (flag and `repeat_of_id`; "
    "urgency and escalation level stay) and needs someone who may work that complaint.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def unlink_complaint(
    session: DbSession, principal: Reader, complaint_id: uuid.UUID, link_id: uuid.UUID
) -> None:
    complaint = await access.load_visible(session, principal, complaint_id)
    removed = await links.unlink(session, complaint=complaint, link_id=link_id, actor=principal.actor)
    if removed.kind == LinkKind.repeat_of.value:
        repeating = await access.load_visible(session, principal, removed.complaint_id, for_update=True)
        if repeating.repeat_of_id == removed.related_id:
            handling.ensure_can_work(principal, repeating)
            await repeats.unmark_by_hand(session, complaint=repeating, actor=principal.actor)
            await flush_versioned(session)
