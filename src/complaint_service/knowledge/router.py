"""Knowledge-base API: solutions (write, edit with If-Match, read, search) and a complaint's suggestions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Authenticated, Reader
from complaint_service.complaints import access
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, check_if_match, etag
from complaint_service.core.openapi import ETAG_HEADER, example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import NO_NUL, Page, decode_cursor, encode_cursor
from complaint_service.knowledge import examples, repository, service, suggestions
from complaint_service.knowledge.schemas import (
    SimilarComplaint,
    SolutionHit,
    SolutionIn,
    SolutionOut,
    SolutionPatch,
    SuggestedSolution,
    Suggestions,
)
from complaint_service.models.enums import Category
from complaint_service.pii.mask import mask_optional

router = APIRouter(tags=["knowledge"])
SOLUTION_RESPONSE = example_response(examples.SOLUTION, headers=ETAG_HEADER)


@router.post(
    "/v1/solutions",
    summary="Write a solution",
    description="Any person may add to the knowledge base (API keys only with `admin`). The author may "
    "edit it later, and so may team leads and above.",
    status_code=status.HTTP_201_CREATED,
    response_model=SolutionOut,
    responses={
        **example_response(examples.SOLUTION, status=201, headers=ETAG_HEADER),
        **problem_responses(401, 403, 413, 422, 503),
    },
)
async def create_solution(
    session: DbSession, principal: Authenticated, body: SolutionIn, response: Response
) -> SolutionOut:
    solution = await service.create(session, principal, data=body)
    response.headers["ETag"] = etag(solution.version)
    return SolutionOut.model_validate(solution)


@router.get(
    "/v1/solutions",
    summary="List or search solutions",
    description="Without `q`: newest first, keyset-paged. With `q`: the best `limit` matches by text "
    "similarity (character n-grams, so Chinese needs no word splitting and Traditional matches Simplified), "
    "best first with their `score`; no further pages.",
    response_model=Page[SolutionHit],
    responses={
        **example_response(examples.page({**examples.SOLUTION, "score": 0.93})),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_solutions(
    session: DbSession,
    principal: Reader,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NO_NUL, description="Words to search for.")
    ] = None,
    category: Category | None = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=64, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, or how many matches.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[SolutionHit]:
    where = repository.SolutionFilter(category=category.value if category else None, tag=tag)
    if q is not None:
        hits = await suggestions.search(session, query=q, where=where, limit=limit)
        return Page[SolutionHit](items=[SolutionHit.build(h.solution, h.score) for h in hits])
    rows, last = await repository.list_page(
        session, where=where, before=decode_cursor(cursor) if cursor else None, limit=limit
    )
    return Page[SolutionHit](
        items=[SolutionHit.build(s, None) for s in rows], next_cursor=encode_cursor(last) if last else None
    )


@router.get(
    "/v1/solutions/{solution_id}",
    summary="Get a solution",
    response_model=SolutionOut,
    responses={**SOLUTION_RESPONSE, **problem_responses(401, 403, 404, 422, 503)},
)
async def get_solution(
    session: DbSession, principal: Reader, solution_id: uuid.UUID, response: Response
) -> SolutionOut:
    solution = await service.get(session, solution_id=solution_id)
    response.headers["ETag"] = etag(solution.version)
    return SolutionOut.model_validate(solution)


@router.patch(
    "/v1/solutions/{solution_id}",
    summary="Edit a solution",
    description="Only the fields sent change. Send the `ETag` you read as `If-Match`: a solution edited "
    "since is refused with 412. Its author or a team lead (or above) may edit it.",
    response_model=SolutionOut,
    responses={**SOLUTION_RESPONSE, **problem_responses(401, 403, 404, 412, 413, 422, 503)},
)
async def edit_solution(
    session: DbSession,
    principal: Authenticated,
    solution_id: uuid.UUID,
    body: SolutionPatch,
    response: Response,
    if_match: IfMatch = None,
) -> SolutionOut:
    solution = await service.get(session, solution_id=solution_id, for_update=True)
    check_if_match(if_match, version=solution.version)
    solution = await service.edit(session, principal, solution, changes=body)
    response.headers["ETag"] = etag(solution.version)
    return SolutionOut.model_validate(solution)


@router.get(
    "/v1/complaints/{complaint_id}/suggestions",
    summary="Suggest solutions and similar solved complaints",
    description="The knowledge-base solutions most similar to the complaint's text (same category boosted) "
    "and the resolved complaints most like it that the caller may see, with their scores and what resolved "
    "them. Reply with `solution_id` to record that a solution was used.",
    response_model=Suggestions,
    responses={**example_response(examples.SUGGESTIONS), **problem_responses(401, 403, 404, 422, 503)},
)
async def suggest(
    request: Request,
    session: DbSession,
    principal: Reader,
    complaint_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=20, description="How many of each kind.")] = 5,
) -> Suggestions:
    complaint = await access.load_visible(session, principal, complaint_id)
    solutions = await suggestions.solutions_for(session, complaint=complaint, limit=limit)
    cases = await suggestions.complaints_like(session, principal, complaint=complaint, limit=limit)
    reveal = principal.sees_pii
    await record_reveals(
        session,
        principal,
        request,
        resource="suggestions",
        items=[
            Revealed(
                complaint_id=c.complaint.id,
                customer_id=c.complaint.customer_id,
                texts=(c.complaint.resolution_summary,),
            )
            for c in cases
        ],
    )
    return Suggestions(
        solutions=[
            SuggestedSolution(
                id=s.solution.id,
                title=s.solution.title,
                category=s.solution.category,
                tags=s.solution.tags,
                usage_count=s.solution.usage_count,
                score=s.score,
                same_category=s.same_category,
            )
            for s in solutions
        ],
        complaints=[
            SimilarComplaint(
                id=c.complaint.id,
                reference=c.complaint.reference,
                category=c.complaint.category,
                department=c.complaint.department,
                status=c.complaint.status,
                score=c.score,
                resolution_code=c.complaint.resolution_code,
                resolution_summary=c.complaint.resolution_summary
                if reveal
                else mask_optional(c.complaint.resolution_summary),
                resolved_at=c.complaint.resolved_at,
            )
            for c in cases
        ],
    )
