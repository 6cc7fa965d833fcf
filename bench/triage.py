"""`triage`: what the triage job itself costs, in this process: CPU and statements per complaint.

`scaling` measures worker processes that share the CPUs with PostgreSQL and with each other, so its
figures move with the box. This mode runs the job's coroutine directly, one complaint at a time, on
a backlog loaded through the API: its CPU per complaint is the job's own Python (PostgreSQL's work
runs in other processes and is not counted), steady from run to run, which is how the worker
optimisations in BENCHMARKS.md were weighed.
"""

from __future__ import annotations

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


async def _backlog(env: BenchEnv, total: int) -> list[str]:
    await seed_agents(env)
    await env.start_api()
    token = await env.admin_token()
    async with api_lanes(env, token, BACKLOG_LANES) as idle:
        samples = await closed_loop(idle, canonical_requests(uuid.uuid4().hex[:8]), total=total)
    env.stop()  # nothing else runs while the job is measured
    return sorted(str(s.complaint_id) for s in samples if s.complaint_id)


async def _triage_all(env: BenchEnv, ids: list[str]) -> dict[str, Any]:
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
            statements, cpu, wall = 0, time.process_time(), time.perf_counter()
            for complaint_id in ids[WARM_UP:]:
                await classify.coroutine(ctx, complaint_id)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await redis.aclose()
        await engine.dispose()
    measured = len(ids) - WARM_UP
    return {
        "complaints": measured,
        "cpu_ms_per_complaint": round(cpu / measured * 1000, 2),
        "wall_ms_per_complaint": round(wall / measured * 1000, 2),
        "statements_per_complaint": round(statements / measured, 1),
    }


async def run_triage(*, quick: bool, runs: int) -> dict[str, Any]:
    measured = 300 if quick else 1000
    results = []
    for _ in range(runs):
        async with bench_env() as env:
            results.append(await _triage_all(env, await _backlog(env, measured + WARM_UP)))
    cpu = [r["cpu_ms_per_complaint"] for r in results]
    show(
        f"Triage job in this process, one complaint at a time ({measured} after {WARM_UP} to warm up; "
        "PostgreSQL's CPU not counted)",
        ["run", "CPU ms per complaint", "wall ms per complaint", "statements per complaint"],
        [
            [i + 1, r["cpu_ms_per_complaint"], r["wall_ms_per_complaint"], r["statements_per_complaint"]]
            for i, r in enumerate(results)
        ],
    )
    print(f"median CPU ms per complaint: {statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f})")
    return {"runs": results, "cpu_ms_per_complaint_median": statistics.median(cpu)}
