"""One reconciler pass against growing tables: its cost should follow due items, not open complaints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from arq.connections import RedisSettings, create_pool
from arq.worker import Function
from sqlalchemy import event

from bench import seed
from bench.env import QUEUE_NAME, BenchEnv, bench_env
from bench.report import percentile, show
from complaint_service.routing import tasks as routing_tasks
from complaint_service.settings import Settings, WorkerConfig
from complaint_service.sla import tasks as sla_tasks
from complaint_service.triage import tasks as triage_tasks

PASSES = 15
DUE_ACTIONS = 100
MORE_DUE_ACTIONS = 1000


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def sla_sweep_sql(env: BenchEnv, ctx: dict[str, Any]) -> tuple[str, Any]:
    """The SELECT on sla_actions that sla.reconcile sends, caught on the wire, with its parameters."""
    caught: list[tuple[str, Any]] = []

    def catch(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "sla_actions" in statement:
            caught.append((statement, parameters))

    event.listen(env.engine.sync_engine, "before_cursor_execute", catch)
    try:
        await sla_tasks.reconcile.coroutine(ctx)
    finally:
        event.remove(env.engine.sync_engine, "before_cursor_execute", catch)
    return caught[0]


async def explain(env: BenchEnv, ctx: dict[str, Any]) -> dict[str, Any]:
    statement, parameters = await sla_sweep_sql(env, ctx)
    async with env.engine.connect() as conn:
        result = await conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
        )
        document = result.scalar_one()[0]
    plan = document["Plan"]
    return {
        "execution_ms": round(document["Execution Time"], 3),
        "rows": plan["Actual Rows"],
        "buffers": plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0),
        "index": next((n["Index Name"] for n in _nodes(plan) if "Index Name" in n), "none (sequential scan)"),
    }


async def timed_passes(env: BenchEnv, ctx: dict[str, Any], job: Function) -> list[float]:
    """Redis is flushed before each pass so every due item is really enqueued, not collapsed."""
    times = []
    for _ in range(PASSES):
        await env.flush_redis()
        started = time.perf_counter()
        await job.coroutine(ctx)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(env: BenchEnv, ctx: dict[str, Any], *, future: int, due: int) -> dict[str, Any]:
    sla = await timed_passes(env, ctx, sla_tasks.reconcile)
    triage = await timed_passes(env, ctx, triage_tasks.reconcile)
    routing = await timed_passes(env, ctx, routing_tasks.reconcile)
    return {
        "future_actions": future,
        "due_actions": due,
        "open_complaints": (future + due) // seed.ACTIONS_PER_COMPLAINT,
        "sla_pass_ms": {"p50": percentile(sla, 0.5), "max": max(sla)},
        "sla_select": await explain(env, ctx),
        "triage_pass_ms": percentile(triage, 0.5),
        "routing_pass_ms": percentile(routing, 0.5),
    }


async def _add(env: BenchEnv, *, first: int, actions: int, due_now: bool) -> int:
    """Adds complaints numbered from `first`; their actions are due in the last minute or in days."""
    count = actions // seed.ACTIONS_PER_COMPLAINT
    now = datetime.now(UTC)
    if due_now:
        await seed.open_complaints(
            env, first=first, count=count, due_from=now - timedelta(minutes=1), span_s=50
        )
    else:
        await seed.open_complaints(
            env, first=first, count=count, due_from=now + timedelta(days=1), span_s=30 * 86400
        )
    await seed.vacuum_analyze(env)
    return first + count


async def run_reconcile(*, quick: bool, full: bool) -> dict[str, Any]:
    sizes = (10_000, 100_000) if not full else (10_000, 100_000, 1_000_000)
    if quick:
        sizes = (1_000, 10_000)
    results = []
    async with bench_env() as env:
        redis = await create_pool(RedisSettings.from_dsn(env.redis_url), default_queue_name=QUEUE_NAME)
        http = httpx.AsyncClient()
        settings = Settings(
            database_url=env.database_url, redis_url=env.redis_url, worker=WorkerConfig(queue_name=QUEUE_NAME)
        )
        ctx = {"sessionmaker": env.sessionmaker, "redis": redis, "settings": settings, "http": http}
        try:
            following = await _add(env, first=1, actions=DUE_ACTIONS, due_now=True)
            future = 0
            for size in sizes:
                following = await _add(env, first=following, actions=size - future, due_now=False)
                future = size
                results.append(await measure(env, ctx, future=future, due=DUE_ACTIONS))
            await _add(env, first=following, actions=MORE_DUE_ACTIONS - DUE_ACTIONS, due_now=True)
            results.append(await measure(env, ctx, future=future, due=MORE_DUE_ACTIONS))
        finally:
            await http.aclose()
            await redis.aclose()
    show(
        f"Reconciler pass (median of {PASSES}; Redis flushed before each pass, so it enqueues all due work)",
        [
            "future actions",
            "open complaints",
            "due",
            "sla pass ms",
            "sla max ms",
            "SELECT ms",
            "buffers",
            "index used",
            "triage pass ms",
            "routing pass ms",
        ],
        [
            [
                r["future_actions"],
                r["open_complaints"],
                r["due_actions"],
                r["sla_pass_ms"]["p50"],
                r["sla_pass_ms"]["max"],
                r["sla_select"]["execution_ms"],
                r["sla_select"]["buffers"],
                r["sla_select"]["index"],
                r["triage_pass_ms"],
                r["routing_pass_ms"],
            ]
            for r in results
        ],
    )
    return {"passes": PASSES, "runs": results}
