"""Mass incidents: one outage many customers complain about, its linked complaints, updates and timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import Category, sql_in


class IncidentStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class UpdateKind(StrEnum):
    update = "update"  # progress news for every linked customer
    resolution = "resolution"  # the closing announcement; resolves each open linked complaint


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(IncidentStatus)})", name="status"),
        CheckConstraint(f"category IN ({sql_in(Category)})", name="category"),
        Index("ix_incidents_status_id", "status", "id"),
        # Triage asks "is there an open incident of this category?" for every complaint.
        Index("ix_incidents_open_category", "category", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    app_version: Mapped[str | None] = mapped_column(String(64))
    product_sku: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), server_default=IncidentStatus.open.value)
    automatic: Mapped[bool] = mapped_column(Boolean, comment="Opened by detection rather than by a person")
    opened_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution_code: Mapped[str | None] = mapped_column(String(32))
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class IncidentComplaint(Base):
    """A complaint belongs to at most one incident (the primary key), so links never compete."""

    __tablename__ = "incident_complaints"
    __table_args__ = (Index("ix_incident_complaints_incident_id", "incident_id", "complaint_id"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(server_default=func.now())


class IncidentEvent(Base):
    """The incident's own append-only timeline (each linked complaint's timeline says so too)."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident_id_id", "incident_id", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    type: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class IncidentUpdate(Base):
    """A message for every linked customer; `completed_at` is set once each has been sent it."""

    __tablename__ = "incident_updates"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(UpdateKind)})", name="kind"),
        Index("ix_incident_updates_incident_id_id", "incident_id", "id"),
        # Reconciler: updates whose sending was interrupted.
        Index("ix_incident_updates_unsent", "created_at", postgresql_where=text("completed_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column()


class IncidentNotice(Base):
    """One update sent to one complaint's customer: the primary key makes re-sending a no-op."""

    __tablename__ = "incident_notices"

    update_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident_updates.id"), primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    message_id: Mapped[uuid.UUID | None] = mapped_column(comment="Null when the channel had nothing to send")
    sent_at: Mapped[datetime] = mapped_column(server_default=func.now())
