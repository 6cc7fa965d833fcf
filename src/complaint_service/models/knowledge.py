"""The knowledge base: solutions agents reuse, found by text similarity."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import Category, sql_in


class Solution(Base):
    __tablename__ = "solutions"
    __table_args__ = (
        CheckConstraint(f"category IS NULL OR category IN ({sql_in(Category)})", name="category"),
        CheckConstraint("usage_count >= 0", name="usage_count"),
        # Search narrows candidates with `terms && :query_terms` before scoring them.
        Index("ix_solutions_terms", "terms", postgresql_using="gin"),
        Index("ix_solutions_category_id", "category", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    usage_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    author: Mapped[str] = mapped_column(String(200), comment="Actor that created it, e.g. user:<id>")
    author_id: Mapped[uuid.UUID | None] = mapped_column(comment="The person who wrote it; null for API keys")
    updated_by: Mapped[str] = mapped_column(String(200))
    # Thousands of n-grams per row, written on every edit and read only inside PostgreSQL: never loaded.
    terms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), deferred=True, comment="Character 2- and 3-grams of the normalised title, tags and body"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
