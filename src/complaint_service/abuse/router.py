"""Abuse review API for team leads and above: the queue, confirm or release, and sender blocks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from complaint_service.abuse import examples, repository, service
from complaint_service.abuse.schemas import AbuseReviewOut, ConfirmIn, ReleaseIn, SenderBlockOut
from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import TeamLead
from complaint_service.auth.scopes import Principal
from complaint_service.core.clock import utcnow
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models import AbuseReview, Complaint
from complaint_service.models.abuse import ReviewStatus

router = APIRouter(prefix="/v1/abuse", tags=["abuse"])
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=64, description="`next_cursor` of the previous page.")]
DECIDE_PROBLEMS = problem_responses(401, 403, 404, 409, 422, 503)


async def _audit(
    session: DbSession, principal: Principal, request: Request, pairs: list[tuple[AbuseReview, Complaint]]
) -> None:
    await record_reveals(
        session,
        principal,
        request,
        resource="abuse_review",
        items=[
            Revealed(
                complaint_id=complaint.id,
                customer_id=complaint.customer_id,
                texts=(review.sender_key, complaint.subject, complaint.body),
            )
            for review, complaint in pairs
        ],
    )


async def _decided(
    session: DbSession, principal: Principal, request: Request, review: AbuseReview
) -> AbuseReviewOut:
    await session.flush()
    complaint = await session.get_one(Complaint, review.complaint_id)
    await session.refresh(complaint)  # the decision changed its status, version and updated_at
    await _audit(session, principal, request, [(review, complaint)])
    return AbuseReviewOut.build(review, complaint, reveal_pii=principal.sees_pii)


@router.get(
    "/reviews",
    summary="List the abuse review queue",
    description="Complaints held as suspected abuse (floods of near-identical complaints from one sender, "
    "more complaints than the rate limit allows, empty or meaningless text, or a blocked sender), oldest "
    "first as a queue is worked. Held complaints are triaged but have no department, no assignee and no "
    "acknowledgement. `status=confirmed` or `released` lists past decisions. Team lead or above.",
    response_model=Page[AbuseReviewOut],
    responses={
        **example_response({"items": [examples.REVIEW], "next_cursor": None}),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_reviews(
    request: Request,
    session: DbSession,
    principal: TeamLead,
    status: ReviewStatus = ReviewStatus.pending,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AbuseReviewOut]:
    pairs, last = await repository.reviews_page(
        session, status=status, after=decode_cursor(cursor) if cursor else None, limit=limit
    )
    await _audit(session, principal, request, pairs)
    return Page[AbuseReviewOut](
        items=[AbuseReviewOut.build(r, c, reveal_pii=principal.sees_pii) for r, c in pairs],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.post(
    "/reviews/{complaint_id}/confirm",
    summary="Confirm abuse: block the sender and close their held complaints",
    description="Blocks the sender for `block_hours` (default from configuration; an existing block is "
    "extended) and closes this held complaint, and every other held complaint of the same sender, as "
    "abuse (resolution code `abuse`). Later complaints from the sender are recorded and closed as abuse "
    "without reaching agents until the block ends. Nothing is deleted. 409 when already decided.",
    response_model=AbuseReviewOut,
    responses={**example_response(examples.CONFIRMED), **DECIDE_PROBLEMS},
)
async def confirm_review(
    request: Request, session: DbSession, principal: TeamLead, complaint_id: uuid.UUID, body: ConfirmIn
) -> AbuseReviewOut:
    review = await service.confirm(
        session,
        complaint_id=complaint_id,
        actor=principal.actor,
        note=body.note,
        block_hours=body.block_hours,
    )
    return await _decided(session, principal, request, review)


@router.post(
    "/reviews/{complaint_id}/release",
    summary="Release a held complaint: not abuse, triage it",
    description="Clears `suspected_abuse` and runs the triage pipeline for the complaint as if it had just "
    "arrived: classification, routing, acknowledgement and assignment follow within moments. It is never "
    "held again. 409 when already decided.",
    response_model=AbuseReviewOut,
    responses={**example_response(examples.RELEASED), **DECIDE_PROBLEMS},
)
async def release_review(
    request: Request, session: DbSession, principal: TeamLead, complaint_id: uuid.UUID, body: ReleaseIn
) -> AbuseReviewOut:
    review = await service.release(session, complaint_id=complaint_id, actor=principal.actor, note=body.note)
    return await _decided(session, principal, request, review)


@router.get(
    "/blocks",
    summary="List sender blocks",
    description="Newest first. By default only blocks in force; `active=false` lists lifted and expired "
    "ones too. Team lead or above.",
    response_model=Page[SenderBlockOut],
    responses={
        **example_response({"items": [examples.BLOCK], "next_cursor": None}),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_blocks(
    request: Request,
    session: DbSession,
    principal: TeamLead,
    active: Annotated[bool, Query(description="Only blocks neither lifted nor expired.")] = True,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SenderBlockOut]:
    rows, last = await repository.blocks_page(
        session, live_only=active, now=utcnow(), before=decode_cursor(cursor) if cursor else None, limit=limit
    )
    await record_reveals(
        session,
        principal,
        request,
        resource="abuse_block",
        items=[Revealed(customer_id=b.customer_id, texts=(b.sender_key, b.reason)) for b in rows],
    )
    return Page[SenderBlockOut](
        items=[SenderBlockOut.build(b, reveal_pii=principal.sees_pii) for b in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.delete(
    "/blocks/{block_id}",
    summary="Lift a sender block early",
    description="The sender's next complaints are screened normally again. The block stays on record with "
    "who lifted it and when. 409 when it already ended.",
    response_model=SenderBlockOut,
    responses={
        **example_response(examples.BLOCK | {"lifted_at": "2026-11-23T09:00:00Z", "active": False}),
        **DECIDE_PROBLEMS,
    },
)
async def lift_block(
    request: Request, session: DbSession, principal: TeamLead, block_id: uuid.UUID
) -> SenderBlockOut:
    block = await service.lift(session, block_id=block_id, actor=principal.actor)
    await record_reveals(
        session,
        principal,
        request,
        resource="abuse_block",
        items=[Revealed(customer_id=block.customer_id, texts=(block.sender_key, block.reason))],
    )
    return SenderBlockOut.build(block, reveal_pii=principal.sees_pii)
