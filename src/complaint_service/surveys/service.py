"""Answering a survey through its link, and the second handling an unsatisfied answer starts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.keys import hash_token
from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings
from complaint_service.core.problems import Conflict, Gone, NotFound
from complaint_service.models import Agent, Complaint, Survey
from complaint_service.models.enums import AgentRole, ComplaintFlag, ComplaintStatus, SurveyStatus
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import service as routing_service
from complaint_service.surveys.offers import ACTOR

SECOND_HANDLING = "complaint.second_handling"


class LinkState(StrEnum):
    """What the customer's link can do now."""

    open = "open"
    answered = "answered"
    expired = "expired"


def link_state(survey: Survey, now: datetime) -> LinkState:
    """A superseded survey (the complaint was resolved again) is as dead as an expired one."""
    if survey.status == SurveyStatus.answered.value:
        return LinkState.answered
    if survey.status == SurveyStatus.superseded.value or survey.expires_at <= now:
        return LinkState.expired
    return LinkState.open


async def find(session: AsyncSession, *, token: str, for_update: bool = False) -> tuple[Survey, Complaint]:
    """404 for a token we never issued: whether one exists is all a guesser learns.

    Locked for an answer: the complaint before the survey, the order resolving takes (it
    supersedes the complaint's open survey), so concurrent writers queue up instead of deadlocking.
    """
    ids = (
        await session.execute(
            select(Survey.id, Survey.complaint_id).where(Survey.token_hash == hash_token(token))
        )
    ).one_or_none()
    if ids is None:
        raise NotFound("No survey behind this link.")
    lock = for_update or None
    complaint = await session.get_one(Complaint, ids.complaint_id, with_for_update=lock)
    return await session.get_one(Survey, ids.id, with_for_update=lock), complaint


def _customer(complaint: Complaint) -> str:
    return f"customer:{complaint.customer_id}" if complaint.customer_id else "customer"


async def answer(
    session: AsyncSession, *, token: str, score: int, comment: str | None, now: datetime | None = None
) -> tuple[Survey, Complaint]:
    """Record the one answer a link takes; a low score reopens the complaint for second handling.

    Of two answers at once, the second waits for the first's locks and then finds it answered (409).
    """
    now = now or utcnow()
    survey, complaint = await find(session, token=token, for_update=True)
    state = link_state(survey, now)
    if state is LinkState.answered:
        raise Conflict("This survey has already been answered; thank you.")
    if state is LinkState.expired:
        raise Gone("This survey link has expired.")
    survey.status, survey.score, survey.comment, survey.answered_at = (
        SurveyStatus.answered.value,
        score,
        comment,
        now,
    )
    data = {
        "survey_id": str(survey.id),
        "score": score,
        "agent_id": str(survey.agent_id) if survey.agent_id else None,
    }
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="survey.answered",
        actor=_customer(complaint),
        data={**data, "comment": comment},
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="survey.answered",
        data={**data, "reference": complaint.reference, "department": survey.department},
    )
    if score <= session_settings(session).surveys.unsatisfied_max_score:
        await second_handling(session, complaint, survey=survey, now=now)
    await session.flush()
    return survey, complaint


async def _supervisor(session: AsyncSession, complaint: Complaint, now: datetime) -> Agent | None:
    """A supervisor of the complaint's department who is on shift and has room, as escalations pick."""
    if complaint.department is None:
        return None
    department = await routing_service.lock_department(session, complaint.department)
    if department is None:
        return None
    picked = await routing_service.pick_agent(
        session, department=department, complaint=complaint, now=now, roles=(AgentRole.supervisor.value,)
    )
    return picked[0] if picked else None


async def second_handling(
    session: AsyncSession, complaint: Complaint, *, survey: Survey, now: datetime
) -> None:
    """An unsatisfied customer gets a higher level: reopened, escalated one level, flagged, and handed
    to a supervisor of the department when one is free (else the flag and event ask supervisors to act).
    """
    reason = f"satisfaction survey scored {survey.score} of 5"
    if complaint.status in (ComplaintStatus.resolved.value, ComplaintStatus.closed.value):
        await lifecycle.reopen(session, complaint, actor=_customer(complaint), reason=reason, now=now)
    complaint.escalation_level += 1
    if ComplaintFlag.second_handling.value not in complaint.flags:
        complaint.flags = [*complaint.flags, ComplaintFlag.second_handling.value]
    supervisor = await _supervisor(session, complaint, now)
    if supervisor is not None and supervisor.id != complaint.assignee_id:
        await routing_service.hand_to(
            session,
            complaint=complaint,
            agent=supervisor,
            now=now,
            actor=ACTOR,
            data={"department": complaint.department, "reason": "second_handling"},
        )
    data = {
        "survey_id": str(survey.id),
        "score": survey.score,
        "reason": reason,
        "escalation_level": complaint.escalation_level,
        "supervisor_id": str(supervisor.id) if supervisor else None,
    }
    await timeline.record(session, complaint_id=complaint.id, type=SECOND_HANDLING, actor=ACTOR, data=data)
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type=SECOND_HANDLING,
        data={**data, "reference": complaint.reference, "department": complaint.department},
    )
