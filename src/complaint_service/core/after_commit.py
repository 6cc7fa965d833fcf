"""Side effects that must only happen once the transaction is durable.

Work is queued on the session and scheduled from SQLAlchemy's `after_commit`; a rollback drops
it. The listener is synchronous, so it only schedules coroutines: a lost one is caught by the
owning feature's reconciler, which re-reads PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

Effect = Callable[[], Awaitable[Any]]
_KEY = "after_commit_effects"
_TASKS: set[asyncio.Task[Any]] = set()
log = structlog.get_logger(__name__)


def add_effect(session: AsyncSession, effect: Effect) -> None:
    """Register `effect` to run after the session's next successful commit."""
    session.info.setdefault(_KEY, []).append(effect)


async def _run(effect: Effect) -> None:
    try:
        await effect()
    except Exception as exc:  # the reconciler recovers whatever this was meant to start
        log.warning("after_commit_effect_failed", error=repr(exc))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    effects: list[Effect] = session.info.pop(_KEY, [])
    for effect in effects:
        task = asyncio.get_running_loop().create_task(_run(effect))
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


async def drain() -> None:
    """Wait for scheduled effects (tests, and shutdown so an enqueue is not cut off)."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)
