"""Appending to and reading a complaint's timeline; events are never updated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.ids import uuid7
from complaint_service.models import Event


def current_request_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value is not None else None


async def record(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    type: str,
    actor: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Core INSERT: the timeline is written on hot paths and never read back in the same unit of work."""
    await session.execute(
        insert(Event).values(
            id=uuid7(),
            complaint_id=complaint_id,
            type=type,
            actor=actor,
            data=data or {},
            request_id=current_request_id(),
        )
    )


async def record_many(
    session: AsyncSession, *, events: Sequence[tuple[uuid.UUID, str, dict[str, Any]]], actor: str
) -> None:
    """One multi-row INSERT for a batch of (complaint id, type, data)."""
    if events:
        request_id = current_request_id()
        await session.execute(
            insert(Event).values(
                [
                    {
                        "id": uuid7(),
                        "complaint_id": cid,
                        "type": type_,
                        "actor": actor,
                        "data": data,
                        "request_id": request_id,
                    }
                    for cid, type_, data in events
                ]
            )
        )


async def list_events(
    session: AsyncSession, *, complaint_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Event]:
    query = select(Event).where(Event.complaint_id == complaint_id)
    if after is not None:
        query = query.where(Event.id > after)
    return (await session.scalars(query.order_by(Event.id).limit(limit))).all()
