"""`triage`: what the triage job itself costs, in this process: CPU and statements per complaint.

`scaling` measures worker processes that share the CPUs with PostgreSQL and with each other, so its
figures move with the box. This mode runs the job's coroutine directly on a backlog loaded through
the API, one complaint at a time and then `BATCH` jobs at once (as a busy worker runs them, sharing
one unit of work): its CPU per complaint is the job's own Python (PostgreSQL's work runs in other
processes and is not counted), steady from run to run, which is how the worker optimisations in
BENCHMARKS.md were weighed.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import httpx
from arq.connections import RedisSettings, create_pool
from sqlalchemy import event

from bench.env import BenchEnv, bench_env
from bench.load import closed_loop
from bench.pipeline import BACKLOG_LANES, api_lanes, canonical_requests
from bench.report import show
from bench.seed import seed_agents
from complaint_service.core.db import create_engine, create_sessionmaker
from complaint_service.triage.tasks import classify

WARM_UP = 100  # caches, prepared statements and the open incidents every later complaint meets
BATCH = 50  # jobs started together, as a worker with a backlog starts them (WORKER__BATCH_MAX_SIZE)


async def _backlog(env: BenchEnv, total: int) -> list[str]:
    await seed_agents(env)
    await env.start_api()
    token = await env.admin_token()
    async with api_lanes(env, token, BACKLOG_LANES) as idle:
        samples = await closed_loop(idle, canonical_requests(uuid.uuid4().hex[:8]), total=total)
    env.stop()  # nothing else runs while the job is measured
    return sorted(str(s.complaint_id) for s in samples if s.complaint_id)


async def _triage_all(env: BenchEnv, ids: list[str], *, together: int) -> dict[str, Any]:
    """`together` jobs at a time: 1 is a complaint alone, more share one unit of work."""
    settings = env.settings()
    engine = create_engine(settings, env.database_url)
    redis = await create_pool(RedisSettings.from_dsn(env.redis_url))
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with httpx.AsyncClient() as http:
            ctx = {"sessionmaker": create_sessionmaker(engine), "redis": redis, "settings": settings}
            ctx["http"] = http
            for complaint_id in ids[:WARM_UP]:
                await classify.coroutine(ctx, complaint_id)
            rest = ids[WARM_UP:]
            statements, cpu, wall = 0, time.process_time(), time.perf_counter()
            for start in range(0, len(rest), together):
                await asyncio.gather(*(classify.coroutine(ctx, c) for c in rest[start : start + together]))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await redis.aclose()
        await engine.dispose()
    measured = len(ids) - WARM_UP
    return {
        "together": together,
        "complaints": measured,
        "cpu_ms_per_complaint": round(cpu / measured * 1000, 2),
        "wall_ms_per_complaint": round(wall / measured * 1000, 2),
        "statements_per_complaint": round(statements / measured, 2),
    }


async def run_triage(*, quick: bool, runs: int) -> dict[str, Any]:
    measured = 300 if quick else 1000
    results = []
    for _ in range(runs):
        for together in (1, BATCH):
            async with bench_env() as env:
                results.append(
                    await _triage_all(env, await _backlog(env, measured + WARM_UP), together=together)
                )
    show(
        f"Triage job in this process ({measured} complaints after {WARM_UP} to warm up; PostgreSQL's "
        f"CPU not counted): one at a time, and {BATCH} jobs at once sharing a unit of work, as a busy "
        "worker runs them",
        ["jobs at once", "CPU ms per complaint", "wall ms per complaint", "statements per complaint"],
        [
            [
                r["together"],
                r["cpu_ms_per_complaint"],
                r["wall_ms_per_complaint"],
                r["statements_per_complaint"],
            ]
            for r in results
        ],
    )
    summary: dict[str, Any] = {"runs": results}
    for together in (1, BATCH):
        cpu = [r["cpu_ms_per_complaint"] for r in results if r["together"] == together]
        summary[f"cpu_ms_per_complaint_median_{together}"] = statistics.median(cpu)
        print(
            f"median CPU ms per complaint, {together} at once: "
            f"{statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f})"
        )
    summary["cpu_ms_per_complaint_median"] = summary[f"cpu_ms_per_complaint_median_{BATCH}"]
    return summary
