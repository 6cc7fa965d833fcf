"""One ticket per matter: typed links between complaints, and the record of every merge."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import LinkKind, MergeReason, sql_in


class ComplaintLink(Base):
    """A typed link, read "<complaint> is <kind> <related>"; `related` ones are stored lower id first."""

    __tablename__ = "complaint_links"
    __table_args__ = (
        UniqueConstraint("complaint_id", "related_id", "kind"),
        CheckConstraint(f"kind IN ({sql_in(LinkKind)})", name="kind"),
        CheckConstraint("complaint_id <> related_id", name="not_self"),
        Index("ix_complaint_links_related_id", "related_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    related_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ComplaintMerge(Base):
    """One merge of `source` into `target`: which messages moved, so an unmerge can move them back.

    At most one merge of a complaint is live (not unmerged); a complaint that was ever unmerged by
    a person is never merged automatically again.
    """

    __tablename__ = "complaint_merges"
    __table_args__ = (
        Index(
            "uq_complaint_merges_live_source",
            "source_id",
            unique=True,
            postgresql_where=text("unmerged_at IS NULL"),
        ),
        CheckConstraint(f"reason IN ({sql_in(MergeReason)})", name="reason"),
        Index("ix_complaint_merges_source_id", "source_id"),
        Index("ix_complaint_merges_target_id", "target_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    target_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    message_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), server_default=text("'{}'::uuid[]")
    )
    automatic: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    prior_status: Mapped[str] = mapped_column(String(32), comment="The source's status before the merge")
    actor: Mapped[str] = mapped_column(String(200))
    merged_at: Mapped[datetime] = mapped_column(server_default=func.now())
    unmerged_at: Mapped[datetime | None] = mapped_column()
    unmerged_by: Mapped[str | None] = mapped_column(String(200))
