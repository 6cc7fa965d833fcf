"""Satisfaction surveys: one per resolution, answered once through an unguessable link."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import SurveyStatus, sql_in


class Survey(Base):
    """Who handled the complaint (agent, department, category) is copied at resolution, so CSAT
    stays with the people who did the work even when the complaint is reassigned later."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        CheckConstraint(f"status IN ({sql_in(SurveyStatus)})", name="status"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),
        CheckConstraint("(status = 'answered') = (score IS NOT NULL)", name="answered_has_score"),
        Index("ix_surveys_complaint_id_id", "complaint_id", "id"),
        Index("ix_surveys_department_id", "department", "id"),
        Index("ix_surveys_agent_id_id", "agent_id", "id"),
        # Analytics: satisfaction counts surveys answered, and the answer rate surveys sent, in a period.
        Index("ix_surveys_answered_at", "answered_at"),
        Index("ix_surveys_sent_at", "sent_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 of the link's token; never the token"
    )
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.pending)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(comment="The assignee when the complaint was resolved")
    department: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    message_id: Mapped[uuid.UUID | None] = mapped_column(comment="The outbound message carrying the link")
    sent_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
