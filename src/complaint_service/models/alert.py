"""Spike alerts: a category, product or app version drawing more complaints than its own baseline."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import sql_in


class AlertDimension(StrEnum):
    """The complaint columns watched; the value is the column's value (a category, a SKU, a version)."""

    category = "category"
    product_sku = "product_sku"
    app_version = "app_version"


class Alert(Base):
    """One spike episode; `window_end` moves on while the spike lasts, so a long burst stays one alert.

    The unique key is what keeps racing workers from raising the same spike twice.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("dimension", "value", "window_start"),
        CheckConstraint(f"dimension IN ({sql_in(AlertDimension)})", name="dimension"),
        Index("ix_alerts_unacknowledged_id", "id", postgresql_where=text("acknowledged_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    dimension: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(128))
    window_start: Mapped[datetime] = mapped_column()
    window_end: Mapped[datetime] = mapped_column()
    count: Mapped[int] = mapped_column(Integer, comment="Most complaints seen in one window of the episode")
    baseline_mean: Mapped[float] = mapped_column(Float)
    baseline_stddev: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float, comment="The count had to exceed this")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
