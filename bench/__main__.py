"""`python -m bench [MODE|all|chaos] [--quick] [--runs N] [--write-md]`.

See bench/README.md for what each mode measures and BENCHMARKS.md for the latest run.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

import uvloop

from bench import env, markdown, report, targets
from bench.analytics import run_analytics
from bench.chaos import run_chaos
from bench.intake import run_intake
from bench.pipeline import run_pipeline, run_scaling
from bench.reconcile import run_reconcile
from bench.scale import run_scale
from bench.timers import run_timers
from bench.triage import run_triage

MODES = ("intake", "pipeline", "timers", "reconcile", "scaling", "triage", "scale", "analytics")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("mode", nargs="?", default="all", choices=(*MODES, "all", "chaos"))
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small and short: proves each mode works")
    size.add_argument("--full", action="store_true", help="reconcile up to 1,000,000 pending actions")
    parser.add_argument(
        "--runs",
        type=int,
        help="runs of the headline figures (intake and ceilings, pipeline at the target rate), "
        "reported as median and range (default 3, quick 1)",
    )
    parser.add_argument(
        "--write-md", action="store_true", help="rewrite the generated section of BENCHMARKS.md from this run"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="intake: sample the API with py-spy at its maximum (first run); scaling: the single worker; "
        "and print where time went",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="worker processes; pipeline default: half the CPUs (PostgreSQL and the API need the other "
        "half; on 2 CPUs one worker's larger batches beat two contending for the departments' locks), "
        "timers default: 2",
    )
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        help="pipeline: complaints per second, repeatable (default: 200, then 20)",
    )
    parser.add_argument("--seconds", type=float, help="pipeline: load duration (default 30, quick 5)")
    parser.add_argument(
        "--complaints", type=int, help="timers: open complaints (default 100,000, quick 10,000)"
    )
    parser.add_argument(
        "--window", type=float, help="timers: seconds the due times spread over (180, quick 30)"
    )
    parser.add_argument(
        "--rows", type=int, help="scale, analytics: complaints stored (default 1,000,000, quick 100,000)"
    )
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    return args


async def run(args: argparse.Namespace) -> dict[str, Any]:
    modes = MODES if args.mode == "all" else (args.mode,)
    results: dict[str, Any] = {}
    for mode in modes:
        started = time.monotonic()
        if mode == "intake":
            results[mode] = await run_intake(quick=args.quick, runs=args.runs, profile_api=args.profile)
        elif mode == "pipeline":
            results[mode] = await run_pipeline(
                quick=args.quick,
                rates=tuple(args.rate or (200.0, 20.0)),
                seconds=args.seconds,
                workers=args.workers or max(1, (os.cpu_count() or 2) // 2),
                repeats=args.runs,
            )
        elif mode == "timers":
            # Timers are enqueued only within the look-ahead, so scheduling them all before the workers
            # start enqueues nothing and the deferred variant repeats the reconciler's: `all` skips it.
            results[mode] = await run_timers(
                quick=args.quick,
                complaints=args.complaints,
                window=args.window,
                workers=args.workers or 2,
                variants=(False,) if args.mode == "all" else (True, False),
            )
        elif mode == "reconcile":
            results[mode] = await run_reconcile(quick=args.quick, full=args.full)
        elif mode == "scaling":
            results[mode] = await run_scaling(quick=args.quick, profile_worker=args.profile)
        elif mode == "triage":
            results[mode] = await run_triage(quick=args.quick, runs=args.runs)
        elif mode == "analytics":
            results[mode] = await run_analytics(quick=args.quick, rows=args.rows)
        else:
            results[mode] = await run_scale(quick=args.quick, rows=args.rows)
        print(f"({mode} took {time.monotonic() - started:.0f} s)", flush=True)
    return results


class Tee(io.TextIOBase):
    """Everything printed goes to the terminal and is kept for BENCHMARKS.md."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.kept = out, io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def heading(args: argparse.Namespace, info: dict[str, Any], started: datetime) -> str:
    flags = "".join(f" --{f}" for f in ("quick", "full") if getattr(args, f))
    runs = "" if args.mode == "chaos" else f" --runs {args.runs}"
    return (
        f"complaint-service bench, {started:%Y-%m-%d %H:%M} UTC: {args.mode}{flags}{runs}\n"
        f"machine: {info['nproc']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB RAM, "
        f"Linux {info['kernel']}, Python {info['python']}, load average {info['load_average_at_start']}\n"
        f"source: {info['source']}\n"
        "API, workers, PostgreSQL, Redis and this load generator all share these CPUs."
    )


def results_section(
    args: argparse.Namespace, info: dict[str, Any], checks: list[targets.Check], transcript: str
) -> str:
    started, ended = info["started"], datetime.now(UTC)
    end_load = [round(x, 2) for x in os.getloadavg()]
    load = info["load_average_at_start"][0]
    command = "python -m bench " + " ".join(sys.argv[1:])
    caveats = []
    if args.quick:
        caveats.append(
            "**Quick run**: small sizes and short loads (one run each), to prove every mode works. "
            "These are not the figures of record."
        )
    if load > 0.5 * (info["nproc"] or 1):
        caveats.append(
            f"**Busy machine**: the load average was {load} on {info['nproc']} CPUs when the run "
            "started (other work shared the CPUs), so throughput is understated and latency overstated."
        )
    return "\n\n".join(
        [
            f"`{command}`, {started:%Y-%m-%d %H:%M}–{ended:%H:%M} UTC, commit {info['source']}; "
            f"{info['nproc']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB RAM, "
            f"Linux {info['kernel']}, Python {info['python']}; "
            f"load average at start {info['load_average_at_start']}, at end {end_load}.",
            *caveats,
            markdown.pipe_table(targets.HEADERS, targets.rows(checks)),
            "Every table of the run, as printed:",
            f"```text\n{transcript.strip()}\n```",
        ]
    )


def main() -> None:
    args = parse()
    info = env.machine()
    started = datetime.now(UTC)
    tee = Tee(sys.stdout)
    sys.stdout = tee
    print(heading(args, info, started), flush=True)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        if args.mode == "chaos":
            chaos = runner.run(run_chaos())
            report.write_json("chaos", {"machine": info, "results": chaos})
            if args.write_md:
                markdown.replace_section(
                    "chaos",
                    f"{started:%Y-%m-%d %H:%M} UTC, commit {info['source']}:\n\n"
                    f"```text\n{tee.kept.getvalue().strip()}\n```",
                )
            sys.exit(0 if chaos["exit_code"] == 0 else 1)
        results = runner.run(run(args))
    checks = targets.evaluate(results)
    transcript = tee.kept.getvalue()
    report.show("Targets and ceilings", targets.HEADERS, targets.rows(checks))
    name = args.mode + ("-quick" if args.quick else "-full" if args.full else "")
    info["started"] = started
    report.write_json(
        name, {"args": vars(args), "machine": info, "targets": targets.as_json(checks), "results": results}
    )
    if args.write_md:
        markdown.replace_section("results", results_section(args, info, checks, transcript))


main()
