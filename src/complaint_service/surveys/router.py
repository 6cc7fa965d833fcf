"""Survey API: the customer's link (no credential: the token is the credential), and CSAT for supervisors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Supervisor
from complaint_service.core.clock import utcnow
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.models import Survey
from complaint_service.models.enums import Department, SurveyStatus
from complaint_service.surveys import examples, repository, service
from complaint_service.surveys.schemas import (
    CsatGroupOut,
    CsatOut,
    CsatReport,
    PublicSurveyOut,
    SurveyAnswerIn,
    SurveyOut,
)

router = APIRouter(prefix="/v1/surveys", tags=["surveys"])
Token = Annotated[
    str, Path(max_length=100, description="The token from the survey link sent to the customer.")
]
GROUP_COLUMNS = {"agent": Survey.agent_id, "department": Survey.department, "category": Survey.category}


@router.get(
    "",
    summary="List satisfaction surveys",
    description="Supervisors read the surveys sent on resolution and their answers, newest first, by "
    "department, agent (the assignee at resolution), complaint or customer.",
    response_model=Page[SurveyOut],
    responses={
        **example_response(examples.page(examples.SURVEY)),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_surveys(
    request: Request,
    session: DbSession,
    principal: Supervisor,
    department: Department | None = None,
    agent_id: uuid.UUID | None = None,
    complaint_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    status: SurveyStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[SurveyOut]:
    where = repository.SurveyFilter(
        department=department.value if department else None,
        agent_id=agent_id,
        complaint_id=complaint_id,
        customer_id=customer_id,
        status=status.value if status else None,
    )
    rows, last = await repository.list_page(
        session, where=where, before=decode_cursor(cursor) if cursor else None, limit=limit
    )
    await record_reveals(
        session,
        principal,
        request,
        resource="surveys",
        items=[Revealed(complaint_id=s.complaint_id, texts=(s.comment,)) for s in rows],
    )
    return Page[SurveyOut](
        items=[SurveyOut.build(s, reveal_pii=principal.sees_pii) for s in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.get(
    "/csat",
    summary="Satisfaction (CSAT) figures",
    description="CSAT = surveys scored 4–5 ÷ surveys answered, overall and per agent (the assignee at "
    "resolution), department or category, for surveys sent in `[sent_from, sent_to)`.",
    response_model=CsatReport,
    responses={**example_response(examples.CSAT_REPORT), **problem_responses(401, 403, 422, 503)},
)
async def csat_report(
    session: DbSession,
    principal: Supervisor,
    group_by: Literal["agent", "department", "category"] | None = None,
    department: Department | None = None,
    agent_id: uuid.UUID | None = None,
    sent_from: Annotated[datetime | None, Query(description="Inclusive, ISO 8601 with offset.")] = None,
    sent_to: Annotated[datetime | None, Query(description="Exclusive, ISO 8601 with offset.")] = None,
) -> CsatReport:
    where = repository.SurveyFilter(
        department=department.value if department else None,
        agent_id=agent_id,
        sent_from=sent_from,
        sent_to=sent_to,
    )
    groups = (
        await repository.figures_by(session, key=GROUP_COLUMNS[group_by], where=where) if group_by else []
    )
    return CsatReport(
        group_by=group_by,
        overall=CsatOut.build(await repository.figures(session, where=where)),
        groups=[CsatGroupOut(key=key, **CsatOut.build(figures).model_dump()) for key, figures in groups],
    )


@router.get(
    "/{token}",
    summary="Show a survey to the customer",
    description="No credential: the unguessable link is one. Shows the complaint's reference and the "
    "question in the customer's language, and whether the link still takes an answer.",
    response_model=PublicSurveyOut,
    responses={**example_response(examples.PUBLIC_SURVEY), **problem_responses(404, 422, 503)},
)
async def show_survey(session: DbSession, token: Token) -> PublicSurveyOut:
    survey, complaint = await service.find(session, token=token)
    return PublicSurveyOut.build(survey, complaint, now=utcnow())


@router.post(
    "/{token}",
    summary="Answer a survey",
    description="No credential. A score of 1–5 and an optional comment, once per link: a second answer is "
    "refused with 409, an expired link (or one replaced after the complaint was resolved again) with "
    "410. A score of 2 or less reopens the complaint and escalates it to a supervisor for second handling.",
    response_model=PublicSurveyOut,
    responses={
        **example_response({**examples.PUBLIC_SURVEY, "state": "answered", "score": 4}),
        **problem_responses(404, 409, 410, 413, 422, 503),
    },
)
async def answer_survey(session: DbSession, token: Token, body: SurveyAnswerIn) -> PublicSurveyOut:
    now = utcnow()
    survey, complaint = await service.answer(
        session, token=token, score=body.score, comment=body.comment, now=now
    )
    return PublicSurveyOut.build(survey, complaint, now=now)
