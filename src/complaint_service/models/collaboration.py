"""Collaboration requests: one department asks another for help on a complaint, by a deadline."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import sql_in


class CollaborationStatus(StrEnum):
    open = "open"
    answered = "answered"
    declined = "declined"
    cancelled = "cancelled"


class CollaborationRequest(Base):
    """The deadline runs on an `sla_clocks` row of kind `collaboration` (`clock_id`), so the SLA timers
    fire its warnings and breach; whether they fired is read from there, never copied here."""

    __tablename__ = "collaboration_requests"
    __table_args__ = (
        UniqueConstraint("clock_id"),
        CheckConstraint(f"status IN ({sql_in(CollaborationStatus)})", name="status"),
        CheckConstraint("status <> 'answered' OR answer IS NOT NULL", name="answered_has_answer"),
        CheckConstraint("status <> 'declined' OR reason IS NOT NULL", name="declined_has_reason"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_at"),
        CheckConstraint("from_department IS DISTINCT FROM to_department", name="other_department"),
        # A department's inbox, filtered by status and paged by id.
        Index("ix_collaboration_requests_to_department_status_id", "to_department", "status", "id"),
        # One complaint's requests: its list, and the read-access check for the departments asked.
        Index("ix_collaboration_requests_complaint_id_id", "complaint_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    clock_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla_clocks.id"))
    from_department: Mapped[str | None] = mapped_column(
        String(64), comment="The complaint's department when asked; null for an unrouted complaint"
    )
    to_department: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=CollaborationStatus.open)
    question: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200), comment="Actor: user:<id> or api_key:<name>")
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column()
    answer: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text, comment="Why it was declined or cancelled")
    closed_at: Mapped[datetime | None] = mapped_column(comment="Answered, declined or cancelled at")
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
