"""Intake throughput and latency, beside the ceilings measured in the same run on the same machine.

Per run, on a fresh database: pgbench INSERTs, then the raw-asyncpg endpoint, then the service's
canonical, raw e-mail and WeChat endpoints. Each endpoint is driven closed-loop up a short ramp of
concurrency to find its maximum (the best sustained 2xx/s, with the latency at that level), then
open-loop at half that rate (latency from when each request was due). No worker runs: this is the
API's own cost; triage jobs wait in Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from bench import ceilings, profile
from bench.client import Connection, Request, lanes
from bench.env import BenchEnv, Service, bench_env, postgres_cpu_seconds
from bench.load import OK, Make, errors, latency, open_loop, ramp
from bench.pipeline import MAX_IN_FLIGHT, canonical_requests
from bench.report import RESULTS, fmt, show, spread
from bench.texts import email_message, wechat_xml

WECHAT_TOKEN = "benchWeChatToken2026"
ENDPOINTS = ("raw asyncpg endpoint", "POST /v1/complaints", "raw e-mail (MIME)", "WeChat XML push")
RAMP_LEVELS = (8, 32)


def email_requests(run: str) -> Make:
    def make(i: int) -> Request:
        return Request("POST", "/v1/channels/email/complaints", "message/rfc822", email_message(i, run))

    return make


def wechat_requests(run: str) -> Make:
    """Signed as WeChat signs a push (sha1 of the sorted token, timestamp and nonce); no API key."""

    def make(i: int) -> Request:
        timestamp, nonce = str(int(time.time())), str(1_000_000 + i)
        signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
        target = (
            f"/v1/channels/wechat/complaints?signature={signature}&timestamp={timestamp}"
            f"&nonce={nonce}&openid=oBench_{i % 100_000:06d}"
        )
        return Request("POST", target, "text/xml", wechat_xml(i, run))

    return make


async def measure(
    name: str,
    connect: Callable[[int], AbstractAsyncContextManager[asyncio.Queue[Connection]]],
    make: Make,
    *,
    server: Service,
    quick: bool,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """Ramp to the maximum, then half of it open-loop; with the CPU the server and this generator used.

    With `profile_to`, py-spy samples the server during the ramp and the run prints where its time went.
    """
    step = 2 if quick else 4
    spy = (
        await profile.record(server.process.pid, step * len(RAMP_LEVELS), profile_to) if profile_to else None
    )
    server.mark()
    postgres = postgres_cpu_seconds()
    cpu, wall = time.process_time(), time.monotonic()
    top = await ramp(connect, make, levels=RAMP_LEVELS, seconds=step)
    half_rate = max(1.0, top["max_per_s"] / 2)
    async with connect(MAX_IN_FLIGHT) as idle:
        half = await open_loop(
            idle, make, rate=half_rate, seconds=4 if quick else 10, first=top["requests_used"]
        )
    elapsed = time.monotonic() - wall
    requests = top["requests_used"] + len(half)
    ok = top["ok"] + sum(1 for s in half if s.status in OK)
    generator_cpu, server_cpu = time.process_time() - cpu, server.cpu_since_mark()
    postgres_after = postgres_cpu_seconds()
    postgres_cpu = postgres_after - postgres if postgres is not None and postgres_after is not None else None
    if spy is not None and profile_to is not None:
        await spy.wait()
        profile.show(f"{name}: py-spy samples of the API at its maximum", profile_to)
    return {
        "endpoint": name,
        "max_per_s": top["max_per_s"],
        "max_in_flight": top["at"]["in_flight"],
        "at_max_ms": top["at"]["latency_ms"],
        "ramp": top["steps"],
        "half_rate_per_s": round(half_rate, 1),
        "at_half_ms": latency(half, from_due=True),
        "at_half_errors": errors(half),
        "server_cores": round(server_cpu / elapsed, 2),
        # CPU per accepted request hardly moves when other work shares the CPUs; throughput does.
        "server_cpu_ms_per_2xx": round(server_cpu / max(1, ok) * 1000, 2),
        # The database's share: intake writes five rows in its statement, the raw endpoint one.
        "postgres_cpu_ms_per_2xx": round(postgres_cpu / max(1, ok) * 1000, 2) if postgres_cpu else None,
        "generator_cores": round(generator_cpu / elapsed, 2),
        "generator_us_per_request": round(generator_cpu / max(1, requests) * 1e6),
    }


async def one_run(*, quick: bool, profile_run: bool = False) -> dict[str, Any]:
    async with bench_env() as env:
        pg = await ceilings.pgbench(env, seconds=3 if quick else 10)
        results = [await _ceiling_endpoint(env, quick=quick)]
        await env.start_api({"COMPLAINT_WECHAT__TOKEN": WECHAT_TOKEN})
        api = env.services[-1]
        token = await env.admin_token()
        assert env.api_url is not None
        url, run = env.api_url, uuid.uuid4().hex[:8]

        def keyed(n: int) -> AbstractAsyncContextManager[asyncio.Queue[Connection]]:
            return lanes(url, n, headers={"Authorization": f"Bearer {token}"})

        def unsigned(n: int) -> AbstractAsyncContextManager[asyncio.Queue[Connection]]:
            return lanes(url, n)

        profile_to = RESULTS / f"intake-api-profile-{run}.txt" if profile_run else None
        results.append(
            await measure(
                ENDPOINTS[1], keyed, canonical_requests(run), server=api, quick=quick, profile_to=profile_to
            )
        )
        results.append(await measure(ENDPOINTS[2], keyed, email_requests(run), server=api, quick=quick))
        results.append(await measure(ENDPOINTS[3], unsigned, wechat_requests(run), server=api, quick=quick))
        return {"pgbench": pg, "endpoints": results, "peak_rss_mb": env.peaks()}


async def _ceiling_endpoint(env: BenchEnv, *, quick: bool) -> dict[str, Any]:
    url = await env.start_ceiling_app()
    app = env.services[-1]

    def connect(n: int) -> AbstractAsyncContextManager[asyncio.Queue[Connection]]:
        return lanes(url, n)

    result = await measure(
        ENDPOINTS[0], connect, canonical_requests(uuid.uuid4().hex[:8]), server=app, quick=quick
    )
    env.stop([app])  # its CPU is the service's from here on
    return result


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range over runs of each headline figure, per endpoint; ratios to the ceilings."""
    pg = spread([r["pgbench"]["tps"] for r in runs])
    by_endpoint: dict[str, Any] = {}
    for name in ENDPOINTS:
        rows = [next(e for e in r["endpoints"] if e["endpoint"] == name) for r in runs]
        by_endpoint[name] = {
            "max_per_s": spread([e["max_per_s"] for e in rows]),
            "at_max_p99_ms": spread([e["at_max_ms"]["p99"] for e in rows]),
            "half_rate_per_s": spread([e["half_rate_per_s"] for e in rows]),
            "at_half_p50_ms": spread([e["at_half_ms"]["p50"] for e in rows]),
            "at_half_p95_ms": spread([e["at_half_ms"]["p95"] for e in rows]),
            "at_half_p99_ms": spread([e["at_half_ms"]["p99"] for e in rows]),
            "generator_cores": spread([e["generator_cores"] for e in rows]),
            "server_cores": spread([e["server_cores"] for e in rows]),
            "server_cpu_ms_per_2xx": spread([e["server_cpu_ms_per_2xx"] for e in rows]),
            "postgres_cpu_ms_per_2xx": spread([e.get("postgres_cpu_ms_per_2xx") or 0.0 for e in rows]),
        }
    raw = by_endpoint[ENDPOINTS[0]]
    for figures in by_endpoint.values():
        figures["share_of_raw_endpoint"] = _ratio(figures["max_per_s"]["median"], raw["max_per_s"]["median"])
        figures["share_of_pgbench"] = _ratio(figures["max_per_s"]["median"], pg["median"])
        figures["half_p99_vs_raw"] = _ratio(
            figures["at_half_p99_ms"]["median"], raw["at_half_p99_ms"]["median"]
        )
        figures["cpu_vs_raw"] = _ratio(
            figures["server_cpu_ms_per_2xx"]["median"], raw["server_cpu_ms_per_2xx"]["median"]
        )
    peaks = [r["peak_rss_mb"].get("api", 0.0) for r in runs]
    return {"pgbench_tps": pg, "endpoints": by_endpoint, "api_peak_rss_mb": max(peaks) if peaks else None}


def _ratio(ours: float, ceiling: float) -> float | None:
    return round(ours / ceiling, 3) if ceiling else None


async def run_intake(*, quick: bool, runs: int, profile_api: bool = False) -> dict[str, Any]:
    """With `profile_api`, the first run's canonical endpoint is profiled (py-spy costs the API CPU)."""
    measured = []
    for i in range(runs):
        measured.append(await one_run(quick=quick, profile_run=profile_api and i == 0))
        print(f"(intake run {i + 1} of {runs} done)", flush=True)
    summary = aggregate(measured)
    _show(summary, measured, runs)
    return {"runs": measured, "summary": summary}


def _show(summary: dict[str, Any], measured: list[dict[str, Any]], runs: int) -> None:
    def cell(figure: dict[str, float]) -> str:
        if runs == 1:
            return fmt(figure["median"])
        return f"{fmt(figure['median'])} ({fmt(figure['min'])}–{fmt(figure['max'])})"

    show(
        f"Intake: maximum (closed-loop ramp {'/'.join(map(str, RAMP_LEVELS))} in flight) and latency "
        f"at half of it (open loop), median of {runs} run{'s' if runs > 1 else ''} (min–max); "
        f"pgbench ceiling {cell(summary['pgbench_tps'])} INSERT tx/s with {ceilings.PGBENCH_CLIENTS} clients",
        [
            "endpoint",
            "max 2xx/s",
            "of raw",
            "of pgbench",
            "p99 ms at max",
            "half rate/s",
            "p50 ms",
            "p95 ms",
            "p99 ms at half",
            "p99 × raw",
            "server cores",
            "server CPU ms/2xx",
            "PostgreSQL CPU ms/2xx",
            "generator cores",
        ],
        [
            [
                name,
                cell(f["max_per_s"]),
                f"{f['share_of_raw_endpoint']:.0%}" if f["share_of_raw_endpoint"] is not None else "-",
                f"{f['share_of_pgbench']:.0%}" if f["share_of_pgbench"] is not None else "-",
                cell(f["at_max_p99_ms"]),
                cell(f["half_rate_per_s"]),
                cell(f["at_half_p50_ms"]),
                cell(f["at_half_p95_ms"]),
                cell(f["at_half_p99_ms"]),
                f"{f['half_p99_vs_raw']:.1f}×" if f["half_p99_vs_raw"] is not None else "-",
                cell(f["server_cores"]),
                cell(f["server_cpu_ms_per_2xx"]),
                cell(f["postgres_cpu_ms_per_2xx"]),
                cell(f["generator_cores"]),
            ]
            for name, f in summary["endpoints"].items()
        ],
    )
    last = measured[-1]["endpoints"]
    print(
        "load generator CPU per request (µs, last run): "
        + ", ".join(f"{e['endpoint']} {e['generator_us_per_request']}" for e in last)
        + f"; API peak RSS {summary['api_peak_rss_mb']} MB"
    )
    failed = {
        e["endpoint"]: e["at_half_errors"] for r in measured for e in r["endpoints"] if e["at_half_errors"]
    }
    if failed:
        print(f"non-2xx at half rate: {failed}")
