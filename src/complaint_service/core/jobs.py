"""Enqueueing arq jobs after commit, with deterministic job ids that collapse duplicates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.after_commit import add_effect

QUEUE_NAME = "complaint-service:queue"


def job_id(name: str, *parts: object) -> str:
    """`triage.classify:<id>`; the same logical work always gets the same id."""
    return ":".join([name, *(str(p) for p in parts)])


async def enqueue(
    redis: ArqRedis,
    name: str,
    *args: Any,
    job_key: str | None = None,
    defer_until: datetime | None = None,
) -> bool:
    """Enqueue now; False when a job with this id is already queued (nothing to do)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    job = await redis.enqueue_job(
        name,
        *args,
        _job_id=job_key or job_id(name, *args),
        _defer_until=defer_until,
        _queue_name=QUEUE_NAME,
        request_id=request_id,
    )
    return job is not None


def enqueue_after_commit(
    session: AsyncSession,
    name: str,
    *args: Any,
    job_key: str | None = None,
    defer_until: datetime | None = None,
) -> None:
    """Sessions carry their queue in `info["redis"]` (set by the API dependency and the job wrapper)."""
    redis: ArqRedis | None = session.info.get("redis")
    if redis is None:
        return  # no queue bound (CLI, migrations): the reconciler picks the work up from PostgreSQL

    async def effect() -> None:
        await enqueue(redis, name, *args, job_key=job_key, defer_until=defer_until)

    add_effect(session, effect)
