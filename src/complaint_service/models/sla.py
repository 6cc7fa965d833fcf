"""SLA policies, the clocks they start on complaints, and the timed actions of each clock."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import ActionKind, ClockKind, ClockState, sql_in


class SlaPolicy(Base):
    """Matched by position (lowest first); each field a matching policy leaves null is inherited."""

    __tablename__ = "sla_policies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    escalation: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class SlaClock(Base):
    """One promise on one complaint; `seq` numbers the repeats of next-response and update clocks."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("complaint_id", "kind", "seq"),
        CheckConstraint(f"kind IN ({sql_in(ClockKind)})", name="kind"),
        CheckConstraint(f"state IN ({sql_in(ClockState)})", name="state"),
        Index("ix_sla_clocks_complaint_id_state", "complaint_id", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=ClockState.running)
    target_seconds: Mapped[int] = mapped_column(BigInteger)
    calendar: Mapped[dict[str, Any]] = mapped_column(JSONB)
    policy_ids: Mapped[list[str]] = mapped_column(JSONB)
    started_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    paused_at: Mapped[datetime | None] = mapped_column()
    remaining_seconds: Mapped[int | None] = mapped_column(BigInteger)
    met_at: Mapped[datetime | None] = mapped_column()
    breached_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class SlaAction(Base):
    """A warning, breach or escalation level of a clock; fires at most once (fired_at, row lock)."""

    __tablename__ = "sla_actions"
    __table_args__ = (
        UniqueConstraint("clock_id", "kind", "label"),
        CheckConstraint(f"kind IN ({sql_in(ActionKind)})", name="kind"),
        # The reconciler's sweep reads only pending due work, so its cost follows due items.
        Index(
            "ix_sla_actions_pending_due_at",
            "due_at",
            postgresql_where=text("fired_at IS NULL AND cancelled_at IS NULL AND due_at IS NOT NULL"),
        ),
        # (clock_id, kind, label)'s unique index serves look-ups by clock: no index of its own.
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    clock_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla_clocks.id", ondelete="CASCADE"))
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    due_at: Mapped[datetime | None] = mapped_column()
    fired_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
