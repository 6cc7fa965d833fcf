"""The complaint: one matter of one customer, whatever channel it came in on."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import Category, Channel, ComplaintStatus, Urgency, sql_in

OPEN_BACKLOG = "status IN ('new', 'triaged', 'assigned', 'in_progress', 'pending_customer')"
DURATIONS_PENDING = (
    "(first_response_at IS NOT NULL AND first_response_business_seconds IS NULL) "
    "OR (resolved_at IS NOT NULL AND resolution_business_seconds IS NULL)"
)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("reference"),
        CheckConstraint(f"channel IN ({sql_in(Channel)})", name="channel"),
        CheckConstraint(f"status IN ({sql_in(ComplaintStatus)})", name="status"),
        CheckConstraint(f"category IS NULL OR category IN ({sql_in(Category)})", name="category"),
        CheckConstraint(f"urgency IS NULL OR urgency IN ({sql_in(Urgency)})", name="urgency"),
        CheckConstraint("amount IS NULL OR currency IS NOT NULL", name="amount_has_currency"),
        # The list endpoint orders by id (UUIDv7, creation order); each common filter gets an
        # index ending in id so a filtered, keyset-paged query is an index range scan.
        Index("ix_complaints_status_id", "status", "id"),
        Index("ix_complaints_channel_id", "channel", "id"),
        # Columns that are null until triage, assignment, a first answer or resolution get partial
        # indexes (`WHERE … IS NOT NULL`): every look-up compares them with a value, which implies it,
        # and a complaint written before the column is set costs no entry (intake wrote 23, now 14).
        Index("ix_complaints_category_id", "category", "id", postgresql_where=text("category IS NOT NULL")),
        Index("ix_complaints_urgency_id", "urgency", "id", postgresql_where=text("urgency IS NOT NULL")),
        # Supervisors' "P1s in progress": urgency alone is too coarse for deep pages of a status.
        Index(
            "ix_complaints_urgency_status_id",
            "urgency",
            "status",
            "id",
            postgresql_where=text("urgency IS NOT NULL"),
        ),
        Index(
            "ix_complaints_department_status_id",
            "department",
            "status",
            "id",
            postgresql_where=text("department IS NOT NULL"),
        ),
        Index(
            "ix_complaints_assignee_status_id",
            "assignee_id",
            "status",
            "id",
            postgresql_where=text("assignee_id IS NOT NULL"),
        ),
        Index("ix_complaints_customer_id_id", "customer_id", "id"),
        # Merged complaints of a ticket (re-pointed when the ticket itself is merged).
        Index(
            "ix_complaints_merged_into_id",
            "merged_into_id",
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        Index("ix_complaints_received_at", "received_at"),
        # Reconciler: complaints committed but not yet triaged (small, since triage takes milliseconds).
        Index(
            "ix_complaints_untriaged_created_at", "created_at", postgresql_where=text("triaged_at IS NULL")
        ),
        # Auto-close sweep: resolved complaints by how long they have been quiet.
        Index("ix_complaints_resolved_quiet", "resolved_at", postgresql_where=text("status = 'resolved'")),
        # Abuse screening: one sender's recent complaints (ids are UUIDv7, so an id range is a time range).
        Index(
            "ix_complaints_sender_key_id", "sender_key", "id", postgresql_where=text("sender_key IS NOT NULL")
        ),
        # Analytics: each figure's population is a time range on its own column (received, first
        # response due, first answered, resolved); the summary ORs these range scans (analytics/figures.py).
        Index(
            "ix_complaints_first_response_due_at",
            "first_response_due_at",
            postgresql_where=text("first_response_due_at IS NOT NULL"),
        ),
        Index(
            "ix_complaints_first_response_at",
            "first_response_at",
            postgresql_where=text("first_response_at IS NOT NULL"),
        ),
        Index("ix_complaints_resolved_at", "resolved_at", postgresql_where=text("resolved_at IS NOT NULL")),
        # The open backlog by status and age, read from the index alone (analytics).
        Index(
            "ix_complaints_open_status_received_at",
            "status",
            "received_at",
            postgresql_include=["department"],
            postgresql_where=text(OPEN_BACKLOG),
        ),
        # Business-time durations still to compute (backfill sweep): empty in steady state.
        Index(
            "ix_complaints_durations_pending",
            "id",
            postgresql_where=text(DURATIONS_PENDING),
        ),
        # Department queues: triaged, routed, nobody assigned yet.
        Index(
            "ix_complaints_queued_department",
            "department",
            "id",
            postgresql_where=text("assignee_id IS NULL AND status = 'triaged'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    reference: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(512))
    idempotency_key: Mapped[str | None] = mapped_column(String(300))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    # Who sent it, for abuse screening and incidents: `customer:<id>`, else the channel's name for the
    # author; set when the complaint is screened at the start of triage.
    sender_key: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    channel_data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    order_id: Mapped[str | None] = mapped_column(String(128))
    product_sku: Mapped[str | None] = mapped_column(String(128))
    app_version: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32), server_default=ComplaintStatus.new.value)
    category: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[str | None] = mapped_column(String(2))
    department: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column()
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    has_pii: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    received_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    first_response_due_at: Mapped[datetime | None] = mapped_column()
    first_response_at: Mapped[datetime | None] = mapped_column()
    resolution_due_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    triaged_at: Mapped[datetime | None] = mapped_column()
    assigned_at: Mapped[datetime | None] = mapped_column()
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    escalation_level: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    first_response_business_seconds: Mapped[int | None] = mapped_column(
        Integer, comment="Business time from receipt to the first answer, on the complaint's SLA calendar"
    )
    resolution_business_seconds: Mapped[int | None] = mapped_column(
        Integer, comment="Business time from receipt to the (latest) resolution, on its SLA calendar"
    )
    resolution_code: Mapped[str | None] = mapped_column(String(32))
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_customer_message_at: Mapped[datetime | None] = mapped_column()
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id"), comment="Set: this complaint's messages live on that ticket now"
    )
    repeat_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id"), comment="The resolved complaint this one repeats"
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
