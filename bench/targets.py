"""The issue's targets checked against a run's results, beside the ceilings measured in that run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from bench.report import fmt

RSS_LIMIT_MB = 250.0
TARGET_ROWS = 1_000_000


@dataclass(frozen=True)
class Check:
    """One line of the headline table; `met` is None for a figure with no target or not measured."""

    figure: str
    ours: str
    ceiling: str
    ratio: str
    target: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "-"}[self.met]


def _spread(figure: dict[str, float], unit: str = "") -> str:
    if figure["runs"] <= 1:
        return f"{fmt(figure['median'])}{unit}"
    return f"{fmt(figure['median'])}{unit} ({fmt(figure['min'])}–{fmt(figure['max'])})"


def _share(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _times(ours: dict[str, float], ceiling: dict[str, float]) -> str:
    return f"{ours['median'] / ceiling['median']:.1f}×" if ceiling["median"] else "-"


def _intake(intake: dict[str, Any]) -> list[Check]:
    summary = intake["summary"]
    endpoints = summary["endpoints"]
    raw = endpoints["raw asyncpg endpoint"]
    ours = endpoints["POST /v1/complaints"]
    pg = summary["pgbench_tps"]
    checks = [
        Check("pgbench single-row INSERT tx/s (ceiling)", "-", _spread(pg, "/s"), "-", "-", None),
        Check(
            "raw asyncpg endpoint, max 2xx/s (ceiling)",
            "-",
            _spread(raw["max_per_s"], "/s"),
            f"{_share(raw['share_of_pgbench'])} of pgbench",
            "-",
            None,
        ),
        Check(
            "POST /v1/complaints, max 2xx/s",
            _spread(ours["max_per_s"], "/s"),
            _spread(raw["max_per_s"], "/s"),
            f"{_share(ours['share_of_raw_endpoint'])} (of pgbench {_share(ours['share_of_pgbench'])})",
            "≥ 50% of raw endpoint",
            (ours["share_of_raw_endpoint"] or 0) >= 0.5,
        ),
        Check(
            "POST /v1/complaints, server CPU ms per 2xx",
            _spread(ours["server_cpu_ms_per_2xx"], " ms"),
            _spread(raw["server_cpu_ms_per_2xx"], " ms"),
            f"{ours['cpu_vs_raw']:.1f}×" if ours["cpu_vs_raw"] is not None else "-",
            "-",
            None,
        ),
        Check(
            "POST /v1/complaints, PostgreSQL CPU ms per 2xx",
            _spread(ours["postgres_cpu_ms_per_2xx"], " ms"),
            _spread(raw["postgres_cpu_ms_per_2xx"], " ms"),
            _times(ours["postgres_cpu_ms_per_2xx"], raw["postgres_cpu_ms_per_2xx"]),
            "-",
            None,
        ),
        Check(
            "POST /v1/complaints, p99 at half our max",
            _spread(ours["at_half_p99_ms"], " ms"),
            _spread(raw["at_half_p99_ms"], " ms"),
            f"{ours['half_p99_vs_raw']:.1f}×" if ours["half_p99_vs_raw"] is not None else "-",
            "< 50 ms",
            ours["at_half_p99_ms"]["median"] < 50,
        ),
    ]
    for name in ("raw e-mail (MIME)", "WeChat XML push"):
        figures = endpoints[name]
        checks.append(
            Check(
                f"{name}, max 2xx/s; p99 at half",
                f"{_spread(figures['max_per_s'], '/s')}; {_spread(figures['at_half_p99_ms'], ' ms')}",
                f"{_spread(raw['max_per_s'], '/s')}; {_spread(raw['at_half_p99_ms'], ' ms')}",
                f"{_share(figures['share_of_raw_endpoint'])}; "
                + (f"{figures['half_p99_vs_raw']:.1f}×" if figures["half_p99_vs_raw"] is not None else "-"),
                "-",
                None,
            )
        )
    return checks


def _pipeline(pipeline: dict[str, Any]) -> Check:
    s = pipeline["summary"]
    accepted_all = s["share_2xx"]["min"] >= 0.99
    return Check(
        f"intake → assigned p99 at {s['rate']:g}/s offered",
        f"{_spread(s['to_assigned_p99_ms'], ' ms')}; sent {_spread(s['sent_per_s'], '/s')}, "
        f"2xx {_share(s['share_2xx']['median'])}",
        "-",
        "-",
        "p99 < 300 ms, all accepted",
        s["to_assigned_p99_ms"]["median"] < 300
        and accepted_all
        and s["unassigned"] == 0
        and s["doubled"] == 0,
    )


def _timers(timers: dict[str, Any]) -> Check:
    runs = timers["runs"]
    p99 = max(r["lateness_ms"]["p99"] for r in runs)
    missed = sum(r["missed"] for r in runs)
    doubled = sum(r["doubled"] for r in runs)
    actions = runs[0]["actions"]
    return Check(
        f"SLA timer lateness p99 ({runs[0]['complaints']:,} open complaints, {actions:,} actions)",
        f"{fmt(p99)} ms (worst variant); missed {missed}, doubled {doubled}",
        "-",
        "-",
        "p99 < 1000 ms, none missed or doubled",
        p99 < 1000 and missed == 0 and doubled == 0,
    )


def _scale(scale: dict[str, Any]) -> Check:
    rows = scale["complaints"]
    worst = scale["list_p99_max_ms"]
    short = f"; the target is at {TARGET_ROWS:,}" if rows < TARGET_ROWS else ""
    return Check(
        f"list p99 at {rows:,} complaints (worst filter, first or deep page{short})",
        f"{fmt(worst)} ms",
        "-",
        "-",
        "< 50 ms at 1,000,000",
        worst < 50 if rows >= TARGET_ROWS else None,
    )


def _analytics(analytics: dict[str, Any]) -> Check | None:
    """bench/analytics.py's own target: a month's summary within a second."""
    month = analytics.get("latency_ms", {}).get("summary, 30 days")
    if month is None:
        return None
    return Check(
        f"analytics summary of 30 days, p99 at {analytics.get('complaints', 0):,} complaints",
        f"{fmt(month['p99'])} ms",
        "-",
        "-",
        "< 1000 ms",
        month["p99"] < 1000,
    )


def _scaling(scaling: dict[str, Any], intake: dict[str, Any] | None) -> Check:
    best = max(scaling["runs"], key=lambda r: r["throughput_per_s"] or 0)
    ratio = "-"
    if intake is not None:
        raw = intake["summary"]["endpoints"]["raw asyncpg endpoint"]["max_per_s"]["median"]
        ratio = f"{_share((best['throughput_per_s'] or 0) / raw)} of raw endpoint"
    return Check(
        f"worker pipeline, assigned/s (best: {best['workers']} worker processes)",
        f"{fmt(best['throughput_per_s'])}/s",
        "-",
        ratio,
        "-",
        None,
    )


def _rss(results: dict[str, Any]) -> list[Check]:
    """Peak RSS per role under intake load (intake, pipeline) and the workers' heavier modes (timers,
    scaling); the analytics export reports its own."""
    peaks: dict[str, float] = {}

    def take(found: dict[str, float]) -> None:
        for role, mb in found.items():
            peaks[role] = max(mb, peaks.get(role, 0.0))

    for mode in ("pipeline", "timers", "scaling"):
        for run in results.get(mode, {}).get("runs", []):
            take(run.get("peak_rss_mb", {}))
    for run in results.get("intake", {}).get("runs", []):
        take({"api": run["peak_rss_mb"].get("api", 0.0)})
    return [
        Check(
            f"peak RSS, {role} process",
            f"{fmt(peaks[role])} MB",
            "-",
            "-",
            f"< {RSS_LIMIT_MB:g} MB",
            peaks[role] < RSS_LIMIT_MB,
        )
        for role in ("api", "worker")
        if role in peaks
    ]


def evaluate(results: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "intake" in results:
        checks += _intake(results["intake"])
    if "pipeline" in results:
        checks.append(_pipeline(results["pipeline"]))
    if "timers" in results:
        checks.append(_timers(results["timers"]))
    if "scale" in results:
        checks.append(_scale(results["scale"]))
    if "analytics" in results and (check := _analytics(results["analytics"])) is not None:
        checks.append(check)
    if "scaling" in results:
        checks.append(_scaling(results["scaling"], results.get("intake")))
    return checks + _rss(results)


HEADERS = ("figure", "ours", "ceiling (same run)", "ours ÷ ceiling", "target", "verdict")


def rows(checks: list[Check]) -> list[list[str]]:
    return [[c.figure, c.ours, c.ceiling, c.ratio, c.target, c.verdict] for c in checks]


def as_json(checks: list[Check]) -> list[dict[str, Any]]:
    return [asdict(c) | {"verdict": c.verdict} for c in checks]
