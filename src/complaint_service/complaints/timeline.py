"""Appending to and reading a complaint's timeline; events are never updated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from complaint_service.core.ids import uuid7
from complaint_service.logging import current_request_id
from complaint_service.models import Event

_PENDING = "pending_events"


def _row(complaint_id: uuid.UUID, type_: str, actor: str, data: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "complaint_id": complaint_id,
        "type": type_,
        "actor": actor,
        "data": data or {},
        "request_id": current_request_id(),
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

    A triage job records five or six events: one statement instead of as many round trips. The
    UUIDv7 id is taken now, so the timeline keeps the order in which things happened.
    """
    session.info.setdefault(_PENDING, []).append(_row(complaint_id, type, actor, data))


async def record_many(
    session: AsyncSession, *, events: Sequence[tuple[uuid.UUID, str, dict[str, Any]]], actor: str
) -> None:
    """Queue a batch of (complaint id, type, data), as `record` does."""
    session.info.setdefault(_PENDING, []).extend(_row(cid, type_, actor, data) for cid, type_, data in events)


def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.execute(insert(Event), rows)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Runs inside the async session's greenlet, so the sync execute reaches the same transaction."""
    _write_pending(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def list_events(
    session: AsyncSession, *, complaint_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Event]:
    await session.run_sync(_write_pending)  # events of this unit of work are part of the answer
    query = select(Event).where(Event.complaint_id == complaint_id)
    if after is not None:
        query = query.where(Event.id > after)
    return (await session.scalars(query.order_by(Event.id).limit(limit))).all()
