"""SLA timers under load: lateness of fired actions, none missed, none fired twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import RedisSettings, create_pool
from sqlalchemy import text

from bench import seed
from bench.env import QUEUE_NAME, BenchEnv, bench_env
from bench.report import show, summary
from complaint_service.core.jobs import enqueue
from complaint_service.models import SlaAction
from complaint_service.sla.timers import fire_job_key

LEAD_SECONDS = 20
GRACE_SECONDS = 30
ENQUEUE_CONCURRENCY = 500

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


async def _enqueue_all(env: BenchEnv) -> tuple[int, float]:
    """The deferred job each action's transaction would have enqueued after commit, earliest first."""
    async with env.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, due_at FROM sla_actions ORDER BY due_at"))).all()
    redis = await create_pool(RedisSettings.from_dsn(env.redis_url), default_queue_name=QUEUE_NAME)
    started = time.monotonic()
    try:
        for i in range(0, len(rows), ENQUEUE_CONCURRENCY):
            await asyncio.gather(
                *(
                    enqueue(
                        redis,
                        "sla.fire",
                        str(r.id),
                        job_key=fire_job_key(SlaAction(id=r.id, due_at=r.due_at)),
                        defer_until=r.due_at,
                    )
                    for r in rows[i : i + ENQUEUE_CONCURRENCY]
                )
            )
    finally:
        await redis.aclose()
    return len(rows), time.monotonic() - started


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
    enqueued, enqueue_s = await _enqueue_all(env) if deferred else (0, 0.0)
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
        "enqueued": enqueued,
        "enqueue_s": round(enqueue_s, 1),
        "first_due_after_seeding_s": round((t0 - seeded).total_seconds(), 1),
        "fired": len(lateness),
        "missed": missed,
        "doubled": doubled,
        "fire_events": events,
        "fired_per_s": round(len(lateness) / fire_span, 1) if fire_span else None,
        "lateness_ms": summary(lateness) | {"min": min(lateness) if lateness else float("nan")},
        "worker_cores_used": cores,
    }


async def run_timers(
    *, quick: bool, complaints: int | None, window: float | None, workers: int
) -> dict[str, Any]:
    n = complaints or (10_000 if quick else 100_000)
    w = window or (30 if quick else 180)
    runs = []
    for deferred in (True, False):
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
            f"{r['variant']}: seeded in {r['seed_s']} s (enqueue {r['enqueue_s']} s), "
            f"first due {r['first_due_after_seeding_s']} s after seeding ended"
        )
    return {"workers": workers, "runs": runs}
