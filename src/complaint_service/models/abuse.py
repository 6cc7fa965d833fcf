"""Complaints held as suspected abuse, the reviewers' decisions, and the sender blocks they impose.

Nothing here is deleted: a decision fills in its columns, a block ends by expiring or being lifted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import sql_in


class AbuseReason(StrEnum):
    flood = "flood"  # more near-identical complaints from one sender than the window allows
    rate_limit = "rate_limit"  # more complaints of any content from one sender than the window allows
    meaningless = "meaningless"  # empty, punctuation, emoji, repeated characters, keyboard mash
    blocked_sender = "blocked_sender"  # the sender is under a block a reviewer imposed


class ReviewStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    released = "released"


class SenderBlock(Base):
    """Complaints from a blocked sender are recorded and closed as abuse until `expires_at`."""

    __tablename__ = "abuse_blocks"
    __table_args__ = (
        # Screening asks "is this sender blocked now?" for every complaint: only live blocks are indexed.
        Index("ix_abuse_blocks_live_sender_key", "sender_key", postgresql_where=text("lifted_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    sender_key: Mapped[str] = mapped_column(String(300))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    reason: Mapped[str] = mapped_column(Text)
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id"), comment="The reviewed complaint whose confirmation imposed the block"
    )
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column()
    lifted_at: Mapped[datetime | None] = mapped_column()
    lifted_by: Mapped[str | None] = mapped_column(String(200))


class AbuseReview(Base):
    """One held complaint: why it was held, and what a reviewer decided."""

    __tablename__ = "abuse_reviews"
    __table_args__ = (
        UniqueConstraint("complaint_id"),
        CheckConstraint(f"status IN ({sql_in(ReviewStatus)})", name="status"),
        # The review queue (status = pending, oldest first) and its keyset pages.
        Index("ix_abuse_reviews_status_id", "status", "id"),
        # Confirming one review settles the sender's other pending ones.
        Index(
            "ix_abuse_reviews_pending_sender_key",
            "sender_key",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id"))
    sender_key: Mapped[str | None] = mapped_column(String(300))
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), server_default=ReviewStatus.pending.value)
    block_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("abuse_blocks.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
