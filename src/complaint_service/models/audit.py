"""Who saw unmasked personal data, when, through which request: append-only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7


class PiiAccess(Base):
    __tablename__ = "pii_access_log"
    __table_args__ = (
        Index("ix_pii_access_log_actor_id", "actor", "id"),
        Index("ix_pii_access_log_complaint_id_id", "complaint_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    actor: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    resource: Mapped[str] = mapped_column(String(64), comment="What was read, e.g. complaint, messages")
    complaint_id: Mapped[uuid.UUID | None] = mapped_column()
    customer_id: Mapped[uuid.UUID | None] = mapped_column()
    kinds: Mapped[list[str]] = mapped_column(ARRAY(Text), comment="PII kinds revealed: phone, id_card, …")
    route: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    accessed_at: Mapped[datetime] = mapped_column(server_default=func.now())
