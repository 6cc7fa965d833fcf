"""Every message in or out of a complaint, the thread that e-mail replies attach to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from complaint_service.core.db import Base
from complaint_service.core.ids import uuid7
from complaint_service.models.enums import Channel, MessageDirection, Visibility, sql_in


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A channel's own message id (e-mail Message-ID, WeChat MsgId) is seen once: redelivery is a no-op.
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(f"direction IN ({sql_in(MessageDirection)})", name="direction"),
        CheckConstraint(f"visibility IN ({sql_in(Visibility)})", name="visibility"),
        CheckConstraint(f"channel IN ({sql_in(Channel)})", name="channel"),
        Index("ix_messages_complaint_id_id", "complaint_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16), server_default=Visibility.public.value)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(512))
    author: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
