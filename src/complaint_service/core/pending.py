"""Rows a unit of work appends, written in one INSERT per table just before it commits.

Timeline events and webhook deliveries are written by every step of a job (a triage batch writes
dozens of each) and never read back by the transaction that writes them: queued here, each table
costs one executemany of one cached statement instead of a round trip per row. A reader that must
see the rows of its own unit of work writes them first (`write`). Rows are written in the order
their tables were first queued, so a table may reference rows queued before it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from complaint_service.core.db import Base, table_of

_KEY = "pending_rows"


def add(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Queue `rows` (dicts of column values) for `model`'s table until the unit of work commits."""
    if rows:
        queued: dict[type[Base], list[dict[str, Any]]] = session.info.setdefault(_KEY, {})
        queued.setdefault(model, []).extend(rows)


def write(session: Session, model: type[Base] | None = None) -> None:
    """Write what is queued (for `model` only, when given); sync, as listeners and `run_sync` call it.

    A Core executemany on the table: the rows are complete, so the ORM's bulk machinery adds nothing.
    """
    queued: dict[type[Base], list[dict[str, Any]]] | None = session.info.get(_KEY)
    if not queued:
        return
    for each in [model] if model is not None else list(queued):
        rows = queued.pop(each, None)
        if rows:
            session.execute(insert(table_of(each)), rows)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Runs inside the async session's greenlet, so the sync execute reaches the same transaction."""
    write(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
