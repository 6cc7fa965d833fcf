"""A person who complains, recognised across channels by normalised identities."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import CustomerTier, IdentityKind, sql_in


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (CheckConstraint(f"tier IN ({sql_in(CustomerTier)})", name="tier"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    display_name: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(20), default=CustomerTier.standard, server_default="standard")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer", lazy="raise", order_by="CustomerIdentity.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class CustomerIdentity(Base):
    """One normalised handle (E.164 phone, lower-cased e-mail, openid…) owned by exactly one customer."""

    __tablename__ = "customer_identities"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        CheckConstraint(f"kind IN ({sql_in(IdentityKind)})", name="kind"),
        Index("ix_customer_identities_customer_id", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    customer: Mapped[Customer] = relationship(back_populates="identities", lazy="raise")
