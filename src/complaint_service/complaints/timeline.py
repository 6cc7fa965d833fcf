"""Appending to and reading a complaint's timeline; events are never updated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core import pending
from complaint_service.core.ids import uuid7
from complaint_service.logging import current_request_id
from complaint_service.models import Event

# A unit of work that handles several complaints (a triage batch) maps each to the request that caused it.
REQUEST_IDS = "request_ids"


def _row(
    session: AsyncSession, complaint_id: uuid.UUID, type_: str, actor: str, data: dict[str, Any] | None
) -> dict[str, Any]:
    request_ids: dict[uuid.UUID, str | None] = session.info.get(REQUEST_IDS) or {}
    return {
        "id": uuid7(),
        "complaint_id": complaint_id,
        "type": type_,
        "actor": actor,
        "data": data or {},
        "request_id": request_ids.get(complaint_id) or current_request_id(),
    }


async def record(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    type: str,
    actor: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Queue an event on the unit of work; all of them are written in one batched INSERT at commit.

    A triage job records five or six events per complaint: one statement instead of as many round
    trips. The UUIDv7 id is taken now, so the timeline keeps the order in which things happened.
    """
    pending.add(session, Event, [_row(session, complaint_id, type, actor, data)])


async def record_many(
    session: AsyncSession, *, events: Sequence[tuple[uuid.UUID, str, dict[str, Any]]], actor: str
) -> None:
    """Queue a batch of (complaint id, type, data), as `record` does."""
    pending.add(session, Event, [_row(session, cid, type_, actor, data) for cid, type_, data in events])


async def list_events(
    session: AsyncSession, *, complaint_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Event]:
    await session.run_sync(pending.write, Event)  # events of this unit of work are part of the answer
    query = select(Event).where(Event.complaint_id == complaint_id)
    if after is not None:
        query = query.where(Event.id > after)
    return (await session.scalars(query.order_by(Event.id).limit(limit))).all()
