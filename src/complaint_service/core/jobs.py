"""Enqueueing arq jobs after commit, with deterministic job ids that collapse duplicates."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

import httpx
import structlog
from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_unix_ms
from arq.worker import Function, func
from redis.commands.core import AsyncScript
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.after_commit import add_effect
from complaint_service.core.batching import Coalescer
from complaint_service.core.clock import utcnow
from complaint_service.logging import current_request_id
from complaint_service.ops.metrics import BATCH_SIZE, JOB_DURATION, JOB_FAILURES
from complaint_service.settings import Settings


def job_id(name: str, *parts: object) -> str:
    """`triage.classify:<id>`; the same logical work always gets the same id."""
    return ":".join([name, *(str(p) for p in parts)])


# What arq's `enqueue_job` does (skip when the job or its result exists, store the job, queue it),
# in one script: one round trip instead of three (WATCH, EXISTS, then MULTI/EXEC), with arq's keys
# and job format, so arq's worker runs it as its own. redis-py reloads the script after a Redis restart.
_ENQUEUE = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""
_SCRIPTS: WeakKeyDictionary[ArqRedis, AsyncScript] = WeakKeyDictionary()


@dataclass(frozen=True)
class Enqueue:
    """One job for `enqueue_many`: its function, arguments, id (default: from both) and start time."""

    name: str
    args: tuple[Any, ...] = ()
    job_key: str | None = None
    defer_until: datetime | None = None


def _script(redis: ArqRedis) -> AsyncScript:
    script = _SCRIPTS.get(redis)
    if script is None:
        script = _SCRIPTS[redis] = redis.register_script(_ENQUEUE)
    return script


def _keys_and_argv(redis: ArqRedis, job: Enqueue, request_id: Any) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    defer_until = job.defer_until
    if defer_until is not None and defer_until <= utcnow():
        # arq keeps a job (defer time - now + 1 day): over a day overdue, Redis refuses the negative expiry.
        defer_until = None
    key = job.job_key or job_id(job.name, *job.args)
    now_ms = timestamp_ms()
    score = to_unix_ms(defer_until) if defer_until is not None else now_ms
    payload = serialize_job(
        job.name, job.args, {"request_id": request_id}, None, now_ms, serializer=redis.job_serializer
    )
    keys = (job_key_prefix + key, result_key_prefix + key, redis.default_queue_name)
    return keys, (score - now_ms + expires_extra_ms, payload, score, key)


async def enqueue(
    redis: ArqRedis,
    name: str,
    *args: Any,
    job_key: str | None = None,
    defer_until: datetime | None = None,
) -> bool:
    """Enqueue now; False when a job with this id is already queued (nothing to do)."""
    keys, argv = _keys_and_argv(redis, Enqueue(name, args, job_key, defer_until), current_request_id())
    return bool(await _script(redis)(keys=keys, args=argv))


async def enqueue_many(redis: ArqRedis, jobs: Iterable[Enqueue]) -> int:
    """Many jobs in one round trip (a pipeline of the same script); returns how many were new.

    Reconcilers re-enqueue thousands after a Redis outage: one awaited round trip each, on a worker
    whose event loop is busy with triage, took a pass past arq's job timeout.
    """
    script, request_id = _script(redis), current_request_id()
    async with redis.pipeline(transaction=False) as pipe:
        for job in jobs:
            keys, argv = _keys_and_argv(redis, job, request_id)
            await script(keys=keys, args=argv, client=pipe)
        results = await pipe.execute()
    return sum(1 for added in results if added)


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


TaskBody = Callable[..., Awaitable[Any]]
COALESCERS = "coalescers"
DB_SLOTS = "db_slots"
# `body(session, items)`: each item is (the job's argument, the request id that caused it).
BatchBody = Callable[[AsyncSession, Sequence[tuple[str, str | None]]], Awaitable[Mapping[str, Any]]]


async def _in_unit_of_work(ctx: dict[str, Any], body: TaskBody, *args: Any) -> Any:
    """One transaction: commits when the body returns, rolls back when it raises."""
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    async with sessionmaker() as session:
        session.info.update(redis=ctx["redis"], settings=ctx["settings"], http=ctx["http"])
        try:
            result = await body(session, *args)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
    return result


def _bind_job(name: str, ctx: dict[str, Any], request_id: str | None) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=request_id, job=name, job_id=ctx.get("job_id"), job_try=ctx.get("job_try")
    )


def task(
    name: str, *, keep_result_seconds: float = 5, holds_connection: bool = False
) -> Callable[[TaskBody], Function]:
    """Wrap `async def body(session, *ids)` as an arq job: one transaction, logs bound to the job.

    The request id of the HTTP request that caused the job is bound to every log line and event it
    writes. `holds_connection`: the job keeps its connection through slow I/O (a webhook's HTTP
    call); such jobs share the worker's `db_slots`, so however many run at once, the pool keeps
    connections for triage batches, timers and sweeps.
    """

    def wrap(body: TaskBody) -> Function:
        async def run(ctx: dict[str, Any], *args: Any, request_id: str | None = None) -> Any:
            _bind_job(name, ctx, request_id)
            started = time.perf_counter()
            try:
                slots = ctx.get(DB_SLOTS) if holds_connection else None
                async with slots or contextlib.nullcontext():
                    return await _in_unit_of_work(ctx, body, *args)
            except BaseException:  # arq's timeout cancels the job: that is a failure too
                JOB_FAILURES.labels(name).inc()
                raise
            finally:
                JOB_DURATION.labels(name).observe(time.perf_counter() - started)

        run.__qualname__ = run.__name__ = name
        return func(run, name=name, keep_result=keep_result_seconds)

    return wrap


def batched_task(name: str, *, keep_result_seconds: float = 5) -> Callable[[BatchBody], Function]:
    """Wrap `async def body(session, items) -> {item: result}` as an arq job of one item whose jobs,
    when several run at once in a worker, share one unit of work (see `core.batching`).

    Each job is still an arq job of its own (its id, retries, result): it waits for the batch its
    item joined. A batch that fails is run again item by item, so only the failing item's job fails.
    """

    def wrap(body: BatchBody) -> Function:
        async def run_batch(ctx: dict[str, Any], items: Sequence[tuple[str, str | None]]) -> dict[Any, Any]:
            structlog.contextvars.bind_contextvars(batch=len(items))
            results = await _in_unit_of_work(ctx, body, items)
            return {item: results[item[0]] for item in items}

        def coalescer(ctx: dict[str, Any]) -> Coalescer[tuple[str, str | None], Any]:
            """The worker's coalescer for this job. arq gives every job a copy of the worker's context,
            so they live in a dict the copies share (made at start-up), one per database and settings."""
            shared: dict[tuple[str, int, int], Any] = ctx.setdefault(COALESCERS, {})
            key = (name, id(ctx["sessionmaker"]), id(ctx["settings"]))
            found: Coalescer[tuple[str, str | None], Any] | None = shared.get(key)
            if found is None:
                unit = {k: ctx[k] for k in ("sessionmaker", "redis", "settings", "http")}
                found = shared[key] = Coalescer(
                    functools.partial(run_batch, unit),
                    max_size=ctx["settings"].worker.batch_max_size,
                    concurrency=ctx["settings"].worker.batch_concurrency,
                    linger=ctx["settings"].worker.batch_linger_seconds,
                    on_batch=BATCH_SIZE.labels(name).observe,
                )
            return found

        async def run(ctx: dict[str, Any], item: str, request_id: str | None = None) -> Any:
            _bind_job(name, ctx, request_id)
            started = time.perf_counter()
            try:
                return await coalescer(ctx).submit((item, request_id))
            except BaseException:
                JOB_FAILURES.labels(name).inc()
                raise
            finally:
                JOB_DURATION.labels(name).observe(time.perf_counter() - started)

        run.__qualname__ = run.__name__ = name
        return func(run, name=name, keep_result=keep_result_seconds)

    return wrap


def session_settings(session: AsyncSession) -> Settings:
    """The settings a job's session was opened with (the API passes settings explicitly)."""
    settings: Settings = session.info["settings"]
    return settings


def session_http(session: AsyncSession) -> httpx.AsyncClient:
    client: httpx.AsyncClient = session.info["http"]
    return client
