"""Sending the survey when a complaint is resolved (called by the lifecycle, so it imports none of it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.keys import generate_token, hash_token
from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings
from complaint_service.models import Complaint, Survey
from complaint_service.models.enums import ComplaintFlag, SurveyStatus
from complaint_service.outbound import service as outbound_service
from complaint_service.surveys import texts

ACTOR = "system:surveys"
TOKEN_PREFIX = "sv_"  # noqa: S105 - a public prefix, not a secret


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/v1/surveys/{token}"


async def offer(session: AsyncSession, *, complaint: Complaint, now: datetime | None = None) -> Survey | None:
    """A survey for this resolution, through the complaint's channel; None when none is due.

    Abuse, merges and duplicates served nobody, and a `no_auto_reply` sender (a mailer daemon)
    cannot answer. A complaint resolved again gets a new survey: the unanswered earlier one is
    superseded, so each resolution is rated once, by its latest link.
    """
    settings = session_settings(session)
    config = settings.surveys
    if (
        not config.enabled
        or complaint.resolution_code in config.skip_resolution_codes
        or ComplaintFlag.no_auto_reply.value in complaint.flags
    ):
        return None
    now = now or utcnow()
    await session.execute(
        update(Survey)
        .where(Survey.complaint_id == complaint.id, Survey.status == SurveyStatus.pending.value)
        .values(status=SurveyStatus.superseded.value)
    )
    token = generate_token(TOKEN_PREFIX)

    def invitation(url: str) -> str:
        return texts.invitation(
            language=complaint.language, reference=complaint.reference, link=url, valid_days=config.valid_days
        )

    message = await outbound_service.send_to_customer(
        session,
        complaint=complaint,
        body=invitation(link(settings.public_base_url, token)),
        stored_body=invitation(texts.HIDDEN_LINK),
        kind="survey",
        author=ACTOR,
        automatic=True,
    )
    survey = Survey(
        complaint_id=complaint.id,
        token_hash=hash_token(token),
        status=SurveyStatus.pending.value,
        agent_id=complaint.assignee_id,
        department=complaint.department,
        category=complaint.category,
        message_id=message.id if message else None,
        sent_at=now,
        expires_at=now + timedelta(days=config.valid_days),
    )
    session.add(survey)
    await session.flush()
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="survey.sent",
        actor=ACTOR,
        data={"survey_id": str(survey.id), "expires_at": survey.expires_at.isoformat()},
    )
    return survey
