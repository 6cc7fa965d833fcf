"""Complaint queries: filtered keyset pages ordered by id (UUIDv7, i.e. newest first)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Complaint, Message


@dataclass(frozen=True)
class ComplaintFilter:
    status: Sequence[str] = ()
    channel: Sequence[str] = ()
    category: Sequence[str] = ()
    urgency: Sequence[str] = ()
    department: Sequence[str] = ()
    assignee_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    text: str | None = None
    ids: Sequence[uuid.UUID] = ()
    visible_departments: Sequence[str] | None = None  # None: every department (and unrouted complaints)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filter(query: Select[Complaint], f: ComplaintFilter) -> Select[Complaint]:
    for column, values in (
        (Complaint.status, f.status),
        (Complaint.channel, f.channel),
        (Complaint.category, f.category),
        (Complaint.urgency, f.urgency),
        (Complaint.department, f.department),
    ):
        if values:
            query = query.where(column.in_(values))
    if f.ids:
        query = query.where(Complaint.id.in_(f.ids))
    if f.visible_departments is not None:
        query = query.where(Complaint.department.in_(f.visible_departments))
    if f.assignee_id is not None:
        query = query.where(Complaint.assignee_id == f.assignee_id)
    if f.customer_id is not None:
        query = query.where(Complaint.customer_id == f.customer_id)
    if f.received_from is not None:
        query = query.where(Complaint.received_at >= f.received_from)
    if f.received_to is not None:
        query = query.where(Complaint.received_at < f.received_to)
    if f.text:
        pattern = f"%{_escape_like(f.text)}%"
        query = query.where(
            or_(Complaint.subject.ilike(pattern, escape="\\"), Complaint.body.ilike(pattern, escape="\\"))
        )
    return query


async def list_page(
    session: AsyncSession, *, where: ComplaintFilter, before: uuid.UUID | None, limit: int
) -> tuple[Sequence[Complaint], uuid.UUID | None]:
    """One page and the cursor for the next; rows inserted meanwhile sort ahead and never shift pages."""
    query = apply_filter(select(Complaint), where)
    if before is not None:
        query = query.where(Complaint.id < before)
    rows = (await session.scalars(query.order_by(Complaint.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def get(session: AsyncSession, *, complaint_id: uuid.UUID) -> Complaint | None:
    return await session.get(Complaint, complaint_id)


async def list_messages(
    session: AsyncSession, *, complaint_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Message]:
    query = select(Message).where(Message.complaint_id == complaint_id)
    if after is not None:
        query = query.where(Message.id > after)
    return (await session.scalars(query.order_by(Message.id).limit(limit))).all()
