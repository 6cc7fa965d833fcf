"""People: the agents who handle complaints and the leads, supervisors and admins above them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import AgentRole, AgentStatus, sql_in


class Agent(Base):
    """A user of the service; `role` decides reach, `departments` decide whose complaints they see."""

    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(AgentStatus)})", name="status"),
        CheckConstraint(f"role IN ({sql_in(AgentRole)})", name="role"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint("open_count >= 0", name="open_count"),
        Index("ix_agents_departments", "departments", postgresql_using="gin"),
        # Sign-in looks people up by e-mail, case-insensitively; external IdPs by subject.
        Index("uq_agents_login_email", func.lower(text("email")), unique=True),
        Index("uq_agents_external_subject", "external_subject", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20), default=AgentRole.agent)
    departments: Mapped[list[str]] = mapped_column(ARRAY(Text))
    skills: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    schedule: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB, comment="Business calendar spec of the agent's shifts; null = the department's hours"
    )
    status: Mapped[str] = mapped_column(String(10), default=AgentStatus.active)
    last_assigned_at: Mapped[datetime | None] = mapped_column()
    open_count: Mapped[int] = mapped_column(
        Integer, server_default=text("0"), comment="Open complaints assigned; kept with each (re)assignment"
    )
    scopes: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]"), comment="Extra grants such as pii:read"
    )
    password_hash: Mapped[str | None] = mapped_column(
        String(200), comment="argon2id; null = no local sign-in"
    )
    external_subject: Mapped[str | None] = mapped_column(
        String(300), comment="`iss|sub` of the identity provider's tokens"
    )
    disabled_at: Mapped[datetime | None] = mapped_column(comment="Set: signing in and tokens are refused")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
