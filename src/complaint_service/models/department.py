"""Departments own complaints; each has an assignment strategy and working hours."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import AssignmentStrategy, sql_in


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint(f"strategy IN ({sql_in(AssignmentStrategy)})", name="strategy"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    strategy: Mapped[str] = mapped_column(String(20), default=AssignmentStrategy.least_loaded)
    calendar: Mapped[dict[str, Any]] = mapped_column(JSONB, comment="Business calendar spec: working hours")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
