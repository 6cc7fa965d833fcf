"""SLA timers under load: lateness of fired actions, none missed, none fired twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import RedisSettings, create_pool
from sqlalchemy import select, text

from bench import seed
from bench.env import QUEUE_NAME, BenchEnv, bench_env
from bench.report import show, summary
from complaint_service.core import after_commit
from complaint_service.models import SlaAction
from complaint_service.settings import Settings, WorkerConfig
from complaint_service.sla import timers

LEAD_SECONDS = 20
GRACE_SECONDS = 30

_DOUBLED = """
SELECT count(*) FROM (
    SELECT 1 FROM events WHERE type IN ('sla.warning', 'sla.breached')
    GROUP BY data->>'clock_id', data->>'label' HAVING count(*) > 1
) AS d
"""


async def _scalar(env: BenchEnv, sql: str, **params: Any) -> Any:
    async with env.engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def _retime(env: BenchEnv, *, placeholder: datetime) -> datetime:
    """Moves every action so the first window opens LEAD_SECONDS from now; returns that instant."""
    t0 = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    async with env.engine.begin() as conn:
        await conn.execute(
            text("UPDATE sla_actions SET due_at = due_at + CAST(:shift AS interval)"),
            {"shift": t0 - placeholder},
        )
    await seed.vacuum_analyze(env)
    return t0


async def _schedule_all(env: BenchEnv) -> float:
    """Whatever the service's own `timers.schedule` enqueues after commit for each action, earliest first.

    That is the fast path a real clock start takes; the bench calls it rather than knowing its jobs.
    """
    redis = await create_pool(RedisSettings.from_dsn(env.redis_url), default_queue_name=QUEUE_NAME)
    settings = Settings(
        database_url=env.database_url, redis_url=env.redis_url, worker=WorkerConfig(queue_name=QUEUE_NAME)
    )
    started = time.monotonic()
    try:
        async with env.sessionmaker() as session:
            session.info.update(redis=redis, settings=settings)
            actions = (await session.scalars(select(SlaAction).order_by(SlaAction.due_at))).all()
            for action in actions:
                timers.schedule(session, action.due_at)
            await session.commit()
        await after_commit.drain()
    finally:
        await redis.aclose()
    return time.monotonic() - started


async def _queued(env: BenchEnv) -> int:
    redis = await create_pool(RedisSettings.from_dsn(env.redis_url), default_queue_name=QUEUE_NAME)
    try:
        return int(await redis.zcard(QUEUE_NAME))
    finally:
        await redis.aclose()


async def _wait_fired(env: BenchEnv, *, until: datetime) -> None:
    """Until nothing is pending after the last due time, or the window plus grace has passed."""
    last_due = until - timedelta(seconds=GRACE_SECONDS)
    while datetime.now(UTC) < until:
        env.check_alive()
        pending = await _scalar(env, "SELECT count(*) FROM sla_actions WHERE fired_at IS NULL")
        if pending == 0 and datetime.now(UTC) > last_due:
            return
        await asyncio.sleep(1)


async def scenario(
    env: BenchEnv, *, complaints: int, window: float, deferred: bool, workers: int
) -> dict[str, Any]:
    placeholder = datetime.now(UTC) + timedelta(days=1)
    seeding = time.monotonic()
    await seed.open_complaints(env, first=1, count=complaints, due_from=placeholder, span_s=window)
    t0 = await _retime(env, placeholder=placeholder)
    enqueue_s = await _schedule_all(env) if deferred else 0.0
    queued = await _queued(env)
    seeded = datetime.now(UTC)
    seed_s = time.monotonic() - seeding
    total = await _scalar(env, "SELECT count(*) FROM sla_actions")
    service = await env.start_workers(workers)
    for s in service:
        s.mark()
    measuring = time.monotonic()
    await _wait_fired(env, until=t0 + timedelta(seconds=window + GRACE_SECONDS))
    elapsed = time.monotonic() - measuring
    cores = round(sum(s.cpu_since_mark() for s in service) / elapsed, 2)
    env.stop(service)
    peaks = env.peaks()
    async with env.engine.connect() as conn:
        lateness = [
            float(v)
            for v in (
                await conn.scalars(
                    text(
                        "SELECT extract(epoch FROM fired_at - due_at) * 1000 FROM sla_actions"
                        " WHERE fired_at IS NOT NULL"
                    )
                )
            ).all()
        ]
        span = (await conn.execute(text("SELECT min(fired_at), max(fired_at) FROM sla_actions"))).one()
    missed = await _scalar(env, "SELECT count(*) FROM sla_actions WHERE fired_at IS NULL")
    doubled = await _scalar(env, _DOUBLED)
    events = await _scalar(env, "SELECT count(*) FROM events WHERE type IN ('sla.warning', 'sla.breached')")
    fire_span = (span[1] - span[0]).total_seconds() if span[0] else float("nan")
    return {
        "variant": "deferred jobs" if deferred else "reconciler only",
        "complaints": complaints,
        "actions": total,
        "window_s": window,
        "due_rate_per_s": round(total / window, 1),
        "seed_s": round(seed_s, 1),
        "jobs_queued_before_workers": queued,
        "enqueue_s": round(enqueue_s, 1),
        "first_due_after_seeding_s": round((t0 - seeded).total_seconds(), 1),
        "fired": len(lateness),
        "missed": missed,
        "doubled": doubled,
        "fire_events": events,
        "fired_per_s": round(len(lateness) / fire_span, 1) if fire_span else None,
        "lateness_ms": summary(lateness) | {"min": min(lateness) if lateness else float("nan")},
        "worker_cores_used": cores,
        "peak_rss_mb": peaks,
    }


async def run_timers(
    *,
    quick: bool,
    complaints: int | None,
    window: float | None,
    workers: int,
    variants: tuple[bool, ...] = (True, False),
) -> dict[str, Any]:
    """`variants`: with deferred jobs scheduled first (True), reconciler only (False)."""
    n = complaints or (10_000 if quick else 100_000)
    w = window or (30 if quick else 180)
    runs = []
    for deferred in variants:
        async with bench_env() as env:
            runs.append(await scenario(env, complaints=n, window=w, deferred=deferred, workers=workers))
    show(
        f"SLA timers: {n:,} open complaints × {seed.ACTIONS_PER_COMPLAINT} actions due over {w:g} s, "
        f"{workers} worker processes (target p99 < 1000 ms, none missed or doubled)",
        [
            "variant",
            "actions",
            "due/s",
            "fired/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "missed",
            "doubled",
            "cores",
        ],
        [
            [
                r["variant"],
                r["actions"],
                r["due_rate_per_s"],
                r["fired_per_s"],
                r["lateness_ms"]["p50"],
                r["lateness_ms"]["p99"],
                r["lateness_ms"]["max"],
                r["missed"],
                r["doubled"],
                r["worker_cores_used"],
            ]
            for r in runs
        ],
    )
    for r in runs:
        print(
            f"{r['variant']}: seeded in {r['seed_s']} s (scheduling {r['enqueue_s']} s, "
            f"{r['jobs_queued_before_workers']} jobs queued), "
            f"first due {r['first_due_after_seeding_s']} s after seeding ended"
        )
    return {"workers": workers, "runs": runs}
