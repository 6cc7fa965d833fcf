"""Analytics with a million complaints stored: summary, time series, breakdown and export timings.

Seeding reuses the scale mode's year of complaints (`bench.scale.populate`, generate_series in
PostgreSQL), then one UPDATE gives them what the figures read and that mode leaves empty: due
times by urgency, spread answer and resolution times with their business durations, repeat and
abuse flags, reopenings and escalations; surveys for resolved complaints (40% answered) and the
latest activity of a third of the customers. Then the real API process is asked, one request at a
time (target: a month's summary under a second), and streams exports whose rows/s and the API's
peak memory are reported.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from bench import scale, seed
from bench.env import BenchEnv, bench_env
from bench.report import show, summary
from complaint_service.auth import service as auth_service

ENRICH_SQL = """
UPDATE complaints SET
    first_response_due_at = CASE WHEN triaged_at IS NOT NULL THEN received_at + CASE urgency
        WHEN 'P1' THEN interval '2 hours' WHEN 'P2' THEN interval '12 hours'
        WHEN 'P3' THEN interval '24 hours' ELSE interval '48 hours' END END,
    resolution_due_at = CASE WHEN triaged_at IS NOT NULL THEN received_at + CASE urgency
        WHEN 'P1' THEN interval '24 hours' WHEN 'P4' THEN interval '7 days' ELSE interval '72 hours' END END,
    first_response_at = CASE WHEN first_response_at IS NOT NULL
        THEN received_at + make_interval(secs => 60 + 30 * 3600 * power(random(), 3)) END,
    resolved_at = CASE WHEN resolved_at IS NOT NULL
        THEN received_at + make_interval(secs => 1800 + 4 * 86400 * power(random(), 2)) END,
    flags = CASE WHEN random() < 0.12 THEN '{repeat}'::text[]
        WHEN random() < 0.01 THEN '{suspected_abuse}'::text[] ELSE flags END,
    reopen_count = CASE WHEN resolved_at IS NOT NULL AND random() < 0.03 THEN 1 ELSE 0 END,
    escalation_level = CASE WHEN random() < 0.05 THEN 1 ELSE 0 END
"""
# Business time is about a quarter of wall time on a 9–18 weekday calendar; exact calendars are
# the tests' business, the bench needs realistic spread.
DURATIONS_SQL = """
UPDATE complaints SET
    first_response_business_seconds = CASE WHEN first_response_at IS NOT NULL
        THEN round(extract(epoch FROM first_response_at - received_at) * 0.27) END,
    resolution_business_seconds = CASE WHEN resolved_at IS NOT NULL
        THEN round(extract(epoch FROM resolved_at - received_at) * 0.27) END
"""
SURVEYS_SQL = """
INSERT INTO surveys (id, complaint_id, token_hash, status, agent_id, department, category, sent_at,
                     expires_at, answered_at, score)
SELECT gen_random_uuid(), id, md5(id::text) || md5(reference),
       CASE WHEN answered THEN 'answered' ELSE 'pending' END, assignee_id, department, category,
       resolved_at + interval '5 minutes', resolved_at + interval '7 days',
       CASE WHEN answered THEN resolved_at + interval '1 day' END,
       CASE WHEN answered THEN 1 + floor(5 * power(random(), 0.4))::int END
FROM (SELECT *, random() < 0.4 AS answered FROM complaints WHERE resolved_at IS NOT NULL) AS c
"""
ACTIVITY_SQL = """
INSERT INTO customer_activity (customer_id, last_activity_at)
SELECT customer_id, max(resolved_at) + interval '3 days' FROM complaints
WHERE customer_id IS NOT NULL AND resolved_at IS NOT NULL
GROUP BY customer_id HAVING random() < 0.3
"""


async def enrich(env: BenchEnv) -> float:
    started = time.monotonic()
    for statement in (ENRICH_SQL, DURATIONS_SQL, SURVEYS_SQL, ACTIVITY_SQL):
        async with env.engine.begin() as conn:
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
            await conn.execute(text(statement))
    await seed.vacuum_analyze(env, tables=("complaints", "surveys", "customer_activity"))
    return round(time.monotonic() - started, 1)


async def timed(call: Callable[[], Awaitable[httpx.Response]], count: int) -> dict[str, float]:
    elapsed = []
    for _ in range(count):
        started = time.perf_counter()
        response = await call()
        elapsed.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return summary(elapsed)


async def export(client: httpx.AsyncClient, params: dict[str, str]) -> dict[str, float]:
    """Rows/s of one streamed export, and how long until its first byte."""
    started = time.perf_counter()
    first_byte: float | None = None
    lines = 0
    async with client.stream("GET", "/v1/complaints/export", params=params) as response:
        if response.status_code != 200:
            raise RuntimeError(f"export: {response.status_code} {(await response.aread())[:300]!r}")
        async for chunk in response.aiter_raw():
            first_byte = first_byte or time.perf_counter() - started
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    rows = lines - (1 if params.get("format", "csv") == "csv" else 0)
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "first_byte_ms": round((first_byte or seconds) * 1000, 1),
    }


async def measure(env: BenchEnv, *, calls: int, full_export: bool) -> dict[str, Any]:
    assert env.api_url is not None
    token = await env.admin_token()
    now = datetime.now(UTC)
    month = {"from": (now - timedelta(days=30)).isoformat(), "to": now.isoformat()}
    week = {"from": (now - timedelta(days=7)).isoformat(), "to": now.isoformat()}
    year = {"from": (now - timedelta(days=365)).isoformat(), "to": now.isoformat()}
    async with httpx.AsyncClient(
        base_url=env.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as client:

        def get(path: str, **params: str) -> Callable[[], Awaitable[httpx.Response]]:
            return lambda: client.get(path, params=params)

        await client.get("/v1/analytics/summary")  # a first request warms the process
        latency = {
            "summary, 30 days": await timed(get("/v1/analytics/summary", **month), calls),
            "summary, 30 days, department=finance": await timed(
                get("/v1/analytics/summary", **month, department="finance"), calls
            ),
            "summary, 365 days": await timed(get("/v1/analytics/summary", **year), max(3, calls // 5)),
            "timeseries, 30 days by day": await timed(
                get("/v1/analytics/timeseries", **month, bucket="day"), calls
            ),
            "timeseries, 7 days by hour": await timed(
                get("/v1/analytics/timeseries", **week, bucket="hour"), calls
            ),
            "breakdown, 30 days by agent": await timed(
                get("/v1/analytics/breakdown", **month, by="agent"), calls
            ),
            "breakdown, 30 days by category": await timed(
                get("/v1/analytics/breakdown", **month, by="category"), calls
            ),
        }
    # Exports as a reader without pii:read: every text is run through the PII masker.
    async with env.sessionmaker() as session, session.begin():
        _, reader = await auth_service.create_key(session, name="bench-reader", scopes=["complaints:read"])
    async with httpx.AsyncClient(
        base_url=env.api_url, headers={"Authorization": f"Bearer {reader}"}, timeout=3600
    ) as client:
        received = {"received_from": month["from"], "received_to": month["to"]}
        exports = {
            "csv, received in 30 days": await export(client, {**received, "format": "csv"}),
            "jsonl, received in 30 days": await export(client, {**received, "format": "jsonl"}),
        }
        if full_export:
            exports["csv, everything"] = await export(client, {"format": "csv"})
    return {"latency_ms": latency, "exports": exports, "api_peak_rss_mb": env.peaks().get("api")}


async def run_analytics(*, quick: bool, rows: int | None) -> dict[str, Any]:
    n = rows or (100_000 if quick else 1_000_000)
    async with bench_env() as env:
        seeding = await scale.populate(env, rows=n)
        enrich_s = await enrich(env)
        print(
            f"(analytics: {n:,} complaints seeded in {seeding['total_s']} s, enriched in {enrich_s} s)",
            flush=True,
        )
        await env.start_api()
        result = await measure(env, calls=5 if quick else 20, full_export=not quick)
        async with env.engine.connect() as conn:
            sizes = (
                await conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM surveys), "
                        "pg_size_pretty(pg_total_relation_size('complaints'))"
                    )
                )
            ).one()
    result |= {"complaints": sizes[0], "surveys": sizes[1], "complaints_size": sizes[2], "seeding": seeding}
    result["seeding"]["enrich_s"] = enrich_s
    _show(result)
    return result


def _show(r: dict[str, Any]) -> None:
    show(
        f"Analytics: {r['complaints']:,} complaints over a year ({r['complaints_size']} with indexes), "
        f"{r['surveys']:,} surveys; one request at a time (target: 30-day summary < 1,000 ms)",
        ["ms", "n", "p50", "p95", "p99", "max"],
        [[name, s["n"], s["p50"], s["p95"], s["p99"], s["max"]] for name, s in r["latency_ms"].items()],
    )
    show(
        "Exports (streamed, masked for a reader without pii:read)",
        ["export", "rows", "seconds", "rows/s", "first byte ms"],
        [
            [name, e["rows"], e["seconds"], e["rows_per_s"], e["first_byte_ms"]]
            for name, e in r["exports"].items()
        ],
    )
    print(f"API peak RSS: {r['api_peak_rss_mb']} MB")
