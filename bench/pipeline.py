"""Intake → assigned under a steady open-loop load, and worker scaling on a pre-loaded backlog."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench import profile
from bench.client import Connection, Request, lanes
from bench.env import BenchEnv, Service, bench_env
from bench.load import Make, closed_loop, errors, open_loop
from bench.report import RESULTS, fmt, show, spread, summary
from bench.seed import seed_agents
from bench.texts import canonical_payload
from complaint_service.models import Complaint

MAX_IN_FLIGHT = 256
BACKLOG_LANES = 32


def canonical_requests(run: str, *, first: int = 0) -> Make:
    """`POST /v1/complaints` with request (first + i)'s canonical payload, encoded when it is made."""

    def make(i: int) -> Request:
        body = json.dumps(canonical_payload(first + i, run), ensure_ascii=False).encode()
        return Request("POST", "/v1/complaints", "application/json", body)

    return make


def api_lanes(
    env: BenchEnv, token: str, count: int
) -> AbstractAsyncContextManager[asyncio.Queue[Connection]]:
    assert env.api_url is not None
    return lanes(env.api_url, count, headers={"Authorization": f"Bearer {token}"})


async def assignments(
    env: BenchEnv, ids: list[str]
) -> dict[str, tuple[datetime | None, datetime | None, int]]:
    """Per complaint: assigned_at (worker clock), the assigned event's occurred_at, how many such events."""
    rows = await _fetch(
        env,
        """
        SELECT c.id::text, c.assigned_at, min(e.occurred_at), count(e.id)
        FROM complaints c LEFT JOIN events e ON e.complaint_id = c.id AND e.type = 'complaint.assigned'
        WHERE c.id = ANY(CAST(:ids AS uuid[])) GROUP BY c.id, c.assigned_at
        """,
        ids=ids,
    )
    return {row[0]: (row[1], row[2], int(row[3])) for row in rows}


async def _fetch(env: BenchEnv, sql: str, **params: Any) -> list[Any]:
    async with env.engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def wait_assigned(env: BenchEnv, expected: int, *, within: float) -> float:
    """Polls until `expected` complaints are assigned; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        env.check_alive()
        async with env.sessionmaker() as session:
            done = await session.scalar(text("SELECT count(*) FROM complaints WHERE assigned_at IS NOT NULL"))
        if (done or 0) >= expected:
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - started


def _cpu(services: list[Service], seconds: float) -> dict[str, float]:
    """Average cores used per role while measuring."""
    used: dict[str, float] = {}
    for s in services:
        used[s.role] = used.get(s.role, 0.0) + s.cpu_since_mark()
    return {role: round(value / seconds, 2) for role, value in used.items()}


WARM_UP_SECONDS = 5.0


async def steady(env: BenchEnv, *, rate: float, seconds: float, workers: int) -> dict[str, Any]:
    """The rate is offered for `WARM_UP_SECONDS` first, unmeasured, and drained: fresh processes pay
    once for imports, prepared statements, configuration copies and the first incidents of each
    category, and a steady load is what the figure is about."""
    agents = await seed_agents(env)
    await env.start_api()
    await env.start_workers(workers)
    await asyncio.sleep(2)  # every worker past its imports and first reconciler pass
    token = await env.admin_token()
    run = uuid.uuid4().hex[:8]
    async with api_lanes(env, token, MAX_IN_FLIGHT) as idle:
        # Customers of their own (see bench.texts._customer): a customer's second complaint is compared
        # with the first, and may join it, instead of being assigned.
        warm = await open_loop(
            idle, canonical_requests(f"{run}w", first=50_000), rate=rate, seconds=WARM_UP_SECONDS
        )
    before = sum(1 for s in warm if s.complaint_id is not None)
    await wait_assigned(env, before, within=600)
    for s in env.services:
        s.mark()
    cpu_start, wall_start = time.process_time(), time.monotonic()
    async with api_lanes(env, token, MAX_IN_FLIGHT) as idle:
        samples = await open_loop(idle, canonical_requests(run), rate=rate, seconds=seconds)
    created = [s for s in samples if s.complaint_id is not None]
    # Long enough for a saturated pipeline to drain its backlog: a complaint still unassigned when
    # the wait ends has no time to report, and leaving it out would flatter the percentiles.
    waited = await wait_assigned(env, before + len(created), within=600)
    elapsed = time.monotonic() - wall_start
    cpu = _cpu(env.services, elapsed) | {
        "load generator": round((time.process_time() - cpu_start) / elapsed, 2)
    }
    sent = [s.sent for s in samples]
    found = await assignments(env, [s.complaint_id for s in created if s.complaint_id])
    to_assigned, to_event, doubled, unassigned = [], [], 0, 0
    for sample in created:
        assert sample.complaint_id is not None
        assigned_at, occurred_at, events = found.get(sample.complaint_id, (None, None, 0))
        doubled += events > 1
        if assigned_at is None:
            unassigned += 1
            continue
        to_assigned.append((assigned_at.timestamp() - sample.done_wall) * 1000)
        if occurred_at is not None:
            to_event.append((occurred_at.timestamp() - sample.done_wall) * 1000)
    result = {
        "workers": workers,
        "agents": agents,
        "target_rate": rate,
        "seconds": seconds,
        "sent": len(samples),
        "achieved_send_rate": round(len(samples) / (max(sent) - min(sent)), 1),
        "ok_2xx": len(created),
        "errors": errors(samples),
        "unassigned_after_wait": unassigned,
        "doubled_assignments": doubled,
        "drain_after_last_send_s": round(waited, 1),
        "intake_to_assigned_ms": summary(to_assigned),
        "intake_to_assigned_event_tx_start_ms": summary(to_event),
        "http_latency_ms": summary([(s.done - s.scheduled) * 1000 for s in samples if s.complaint_id]),
        "http_service_ms": summary([(s.done - s.sent) * 1000 for s in samples if s.complaint_id]),
        "send_lag_ms": summary([(s.sent - s.scheduled) * 1000 for s in samples]),
        "cores_used": cpu,
        "peak_rss_mb": env.peaks(),
    }
    _show_steady(result)
    return result


def _row(name: str, stats: dict[str, float]) -> list[object]:
    return [name, stats["n"], stats["p50"], stats["p95"], stats["p99"], stats["max"]]


def _show_steady(r: dict[str, Any]) -> None:
    show(
        f"Pipeline: {r['target_rate']:g}/s for {r['seconds']:g} s, {r['workers']} worker processes "
        f"(sent at {r['achieved_send_rate']}/s; {r['ok_2xx']} 2xx, errors {r['errors'] or 'none'}, "
        f"unassigned {r['unassigned_after_wait']}, doubled {r['doubled_assignments']})",
        ["ms", "n", "p50", "p95", "p99", "max"],
        [
            _row("2xx → assigned (target p99 < 300)", r["intake_to_assigned_ms"]),
            _row("2xx → assigning tx start", r["intake_to_assigned_event_tx_start_ms"]),
            _row("HTTP latency from when due", r["http_latency_ms"]),
            _row("HTTP latency from when sent", r["http_service_ms"]),
            _row("generator send lag", r["send_lag_ms"]),
        ],
    )
    print(
        "cores used (avg over the run): "
        + ", ".join(f"{k} {v}" for k, v in r["cores_used"].items())
        + "; peak RSS MB: "
        + ", ".join(f"{k} {v}" for k, v in r["peak_rss_mb"].items())
    )


async def run_pipeline(
    *, quick: bool, rates: tuple[float, ...], seconds: float | None, workers: int, repeats: int = 1
) -> dict[str, Any]:
    """Each rate on a fresh database, so a backlog left by one never slows the next.

    The first rate (the target's) runs `repeats` times; its figures are summarised as median and range.
    """
    runs = []
    for i, rate in enumerate(rates):
        for _ in range(repeats if i == 0 else 1):
            async with bench_env() as env:
                runs.append(
                    await steady(env, rate=rate, seconds=seconds or (5 if quick else 30), workers=workers)
                )
    headline = [r for r in runs if r["target_rate"] == rates[0]]
    summary = {
        "rate": rates[0],
        "runs": len(headline),
        "to_assigned_p50_ms": spread([r["intake_to_assigned_ms"]["p50"] for r in headline]),
        "to_assigned_p99_ms": spread([r["intake_to_assigned_ms"]["p99"] for r in headline]),
        "sent_per_s": spread([r["achieved_send_rate"] for r in headline]),
        "share_2xx": spread([r["ok_2xx"] / max(1, r["sent"]) for r in headline]),
        "unassigned": sum(r["unassigned_after_wait"] for r in headline),
        "doubled": sum(r["doubled_assignments"] for r in headline),
    }
    if len(headline) > 1:
        print(
            f"pipeline at {rates[0]:g}/s over {len(headline)} runs: 2xx → assigned p99 median "
            f"{fmt(summary['to_assigned_p99_ms']['median'])} ms "
            f"({fmt(summary['to_assigned_p99_ms']['min'])}–{fmt(summary['to_assigned_p99_ms']['max'])})"
        )
    return {"runs": runs, "summary": summary}


async def drain_backlog(
    env: BenchEnv, *, backlog: int, workers: int, profile_to: Path | None = None
) -> dict[str, Any]:
    """Loads `backlog` complaints through the API with no worker running, then lets `workers` drain it.

    With `profile_to`, py-spy samples the first worker for the first 20 s of the drain.
    """
    await seed_agents(env)
    await env.start_api()
    token = await env.admin_token()
    async with api_lanes(env, token, BACKLOG_LANES) as idle:
        samples = await closed_loop(idle, canonical_requests(uuid.uuid4().hex[:8]), total=backlog)
    created = sum(1 for s in samples if s.complaint_id)
    started_wall = time.time()
    started = await env.start_workers(workers)
    for s in started:
        s.mark()
    spy = await profile.record(started[0].process.pid, 20, profile_to) if profile_to else None
    await wait_assigned(env, created, within=600)
    elapsed = time.time() - started_wall
    if spy is not None and profile_to is not None:
        await spy.wait()
        profile.show(f"py-spy samples of worker 1 of {workers} draining the backlog", profile_to)
    async with env.sessionmaker() as session:
        first, last, n = (
            await session.execute(
                select(func.min(Complaint.assigned_at), func.max(Complaint.assigned_at), func.count()).where(
                    Complaint.assigned_at.is_not(None)
                )
            )
        ).one()
    span = (
        (last - first).total_seconds() if first is not None and last is not None and n > 1 else float("nan")
    )
    return {
        "workers": workers,
        "backlog": created,
        "assigned": n,
        "throughput_per_s": round((n - 1) / span, 1) if span else None,
        "including_startup_per_s": round(n / elapsed, 1),
        "drain_seconds": round(span, 2),
        "cores_used": _cpu(started, elapsed),
        "peak_rss_mb": env.peaks(),
    }


async def run_scaling(
    *, quick: bool, counts: tuple[int, ...] = (1, 2, 4), profile_worker: bool = False
) -> dict[str, Any]:
    """With `profile_worker`, the single worker's drain is profiled (py-spy costs it CPU)."""
    backlog = 1000 if quick else 3000
    results = []
    for workers in counts:
        profile_to = RESULTS / f"scaling-worker-profile-{uuid.uuid4().hex[:8]}.txt"
        async with bench_env() as env:
            results.append(
                await drain_backlog(
                    env,
                    backlog=backlog,
                    workers=workers,
                    profile_to=profile_to if profile_worker and workers == 1 else None,
                )
            )
    base = results[0]["throughput_per_s"] or 1
    show(
        f"Scaling: draining a backlog of {backlog} untriaged complaints (triage + route + SLA + assign)",
        ["workers", "assigned/s", "incl. startup/s", "speed-up", "drain s", "worker cores used"],
        [
            [
                r["workers"],
                r["throughput_per_s"],
                r["including_startup_per_s"],
                f"{(r['throughput_per_s'] or 0) / base:.2f}x",
                r["drain_seconds"],
                r["cores_used"].get("worker", 0.0),
            ]
            for r in results
        ],
    )
    return {"backlog": backlog, "runs": results}
