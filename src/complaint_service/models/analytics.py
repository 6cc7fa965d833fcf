"""What a platform tells us a customer did after complaining: the raw events and the latest of them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7


class CustomerEvent(Base):
    """Append-only; `external_id` (the platform's own event id) makes a retried report count once."""

    __tablename__ = "customer_events"
    __table_args__ = (
        UniqueConstraint("customer_id", "external_id"),
        Index("ix_customer_events_customer_id_occurred_at", "customer_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64), comment="e.g. order_placed, login, active")
    occurred_at: Mapped[datetime] = mapped_column()
    external_id: Mapped[str | None] = mapped_column(String(200))
    reported_by: Mapped[str] = mapped_column(String(200), comment="The actor that reported it")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CustomerActivity(Base):
    """The latest activity per customer, kept with GREATEST on every event.

    Conversion asks "any activity after this resolution?", which is exactly "latest activity after
    it": one primary-key row per customer instead of a probe into all their events.
    """

    __tablename__ = "customer_activity"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    last_activity_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
