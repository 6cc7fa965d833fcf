"""Survey bodies: the customer's page and answer, and what supervisors read (surveys, CSAT)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from complaint_service.core.schemas import Schema
from complaint_service.models import Complaint, Survey
from complaint_service.pii.mask import mask_optional
from complaint_service.surveys import texts
from complaint_service.surveys.repository import Figures
from complaint_service.surveys.service import LinkState, link_state
from complaint_service.triage.acknowledgement import template_language

Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


class SurveyAnswerIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"score": 5, "comment": "处理很及时，谢谢！"},
                {"score": 1, "comment": "退款還沒到賬，問題根本沒解決。"},
                {"score": 4},
            ]
        },
    )

    score: int = Field(ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: Comment | None = None


class PublicSurveyOut(Schema):
    """What the customer's survey page shows: the complaint's reference and the question, nothing personal."""

    reference: str = Field(examples=["C20261122-000123"])
    language: str = Field(description="Language of `question`: zh-Hans, zh-Hant or en.")
    question: str
    min_score: int = 1
    max_score: int = 5
    state: LinkState = Field(description="`open` takes an answer; `answered` and `expired` do not.")
    expires_at: datetime
    score: int | None = Field(description="The answer given, once answered.")

    @classmethod
    def build(cls, survey: Survey, complaint: Complaint, *, now: datetime) -> PublicSurveyOut:
        return cls(
            reference=complaint.reference,
            language=template_language(complaint.language),
            question=texts.question(language=complaint.language, reference=complaint.reference),
            state=link_state(survey, now),
            expires_at=survey.expires_at,
            score=survey.score,
        )


class SurveyOut(Schema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    status: str = Field(description="`pending`, `answered`, or `superseded` by a later resolution's survey.")
    agent_id: uuid.UUID | None = Field(description="Who the complaint was assigned to when it was resolved.")
    department: str | None
    category: str | None
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    score: int | None
    comment: str | None = Field(description="Masked unless the caller has `pii:read`.")

    @classmethod
    def build(cls, survey: Survey, *, reveal_pii: bool) -> SurveyOut:
        out = cls.model_validate(survey)
        return out if reveal_pii else out.model_copy(update={"comment": mask_optional(out.comment)})


class CsatOut(Schema):
    sent: int = Field(description="Surveys sent (a resolution's later survey replaces its earlier one).")
    answered: int
    satisfied: int = Field(description="Answers scored 4 or 5.")
    csat: float | None = Field(description="satisfied ÷ answered (DOMAIN.md); null before any answer.")
    average_score: float | None
    response_rate: float | None = Field(description="answered ÷ sent.")

    @classmethod
    def build(cls, figures: Figures) -> CsatOut:
        return cls(
            sent=figures.sent,
            answered=figures.answered,
            satisfied=figures.satisfied,
            csat=figures.csat,
            average_score=figures.average_score,
            response_rate=figures.response_rate,
        )


class CsatGroupOut(CsatOut):
    key: str | None = Field(description="The agent id, department or category; null: none recorded.")


class CsatReport(Schema):
    group_by: str | None
    overall: CsatOut
    groups: list[CsatGroupOut]
