"""Compensation offered to a customer on a complaint, and its approval and grant."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import CompensationKind, CompensationStatus, sql_in


class Compensation(Base):
    """Points are counted in `points`; every other kind is money (or its value) in `amount` `currency`."""

    __tablename__ = "compensations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(CompensationKind)})", name="kind"),
        CheckConstraint(f"status IN ({sql_in(CompensationStatus)})", name="status"),
        CheckConstraint(
            "(kind = 'points' AND points > 0 AND amount IS NULL AND currency IS NULL) OR "
            "(kind <> 'points' AND points IS NULL AND amount > 0 AND currency IS NOT NULL)",
            name="value",
        ),
        Index("ix_compensations_complaint_id_id", "complaint_id", "id"),
        Index("ix_compensations_status_id", "status", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    points: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    needs_approval: Mapped[bool] = mapped_column(Boolean, comment="Above the threshold when proposed")
    proposed_by: Mapped[str] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(200), comment="Who approved or rejected it")
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
    granted_by: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime | None] = mapped_column()
    grant_reference: Mapped[str | None] = mapped_column(
        String(200), comment="Coupon code, refund transaction or shipment id"
    )
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
