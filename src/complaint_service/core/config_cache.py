"""Configuration every triage job reads, copied once per process and checked with one small query.

Rule sets, routing rules, SLA policies, departments and webhook endpoints change a few times a day
but were read by every job: five queries of 22. A trigger on each of their tables moves
`config_generation` in the writing transaction, so a unit of work that reads the counter and finds
the generation its copies were made at knows they are current, whichever process made the change.

Copies are immutable in use: ORM rows are expunged from the session that loaded them, so that
session's rollback cannot expire them under other jobs, and nothing may change or re-attach them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_SESSION_KEY = "config_cache"
# `own`: this very transaction moved the counter (its uncommitted change is in what it would load).
_GENERATION = text("SELECT value, xmin = xid(pg_current_xact_id_if_assigned()) AS own FROM config_generation")


class _Copies:
    """The copies made at one generation; a newer generation gets a fresh instance."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.values: dict[str, Any] = {}


_current = _Copies(generation=-1)


async def _copies(session: AsyncSession) -> _Copies:
    """The generation is read once per unit of work, which then keeps the copies it saw."""
    copies: _Copies | None = session.info.get(_SESSION_KEY)
    if copies is None:
        global _current
        generation, own = (await session.execute(_GENERATION)).one()
        if own:
            copies = _Copies(generation)  # uncommitted configuration is nobody else's
        else:
            if generation > _current.generation:
                _current = _Copies(generation)
            # A unit of work whose snapshot predates a change another one already saw keeps its own.
            copies = _current if generation == _current.generation else _Copies(generation)
        session.info[_SESSION_KEY] = copies
    return copies


async def cached(session: AsyncSession, key: str, load: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`load(session)` once per generation and process; its result must not be changed."""
    copies = await _copies(session)
    if key not in copies.values:
        copies.values[key] = await load(session)
    value: T = copies.values[key]
    return value


def forget(session: AsyncSession) -> None:
    """After this unit of work changed configuration: its next read sees the change."""
    session.info.pop(_SESSION_KEY, None)


def detached(session: AsyncSession, rows: list[T]) -> list[T]:
    """Rows taken out of `session`, so they can outlive it as read-only copies."""
    for row in rows:
        session.expunge(row)
    return rows
