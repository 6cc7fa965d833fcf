"""`python -m bench [pipeline|timers|reconcile|scaling|all] [--quick|--full]`: see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bench import env, report
from bench.pipeline import run_pipeline, run_scaling
from bench.reconcile import run_reconcile
from bench.timers import run_timers

MODES = ("pipeline", "timers", "reconcile", "scaling")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("mode", nargs="?", default="all", choices=(*MODES, "all"))
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small and short: proves each mode works")
    size.add_argument("--full", action="store_true", help="reconcile up to 1,000,000 pending actions")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (pipeline, timers)")
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
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    modes = MODES if args.mode == "all" else (args.mode,)
    results: dict[str, Any] = {}
    for mode in modes:
        started = time.monotonic()
        if mode == "pipeline":
            results[mode] = await run_pipeline(
                quick=args.quick,
                rates=tuple(args.rate or (200.0, 20.0)),
                seconds=args.seconds,
                workers=args.workers,
            )
        elif mode == "timers":
            results[mode] = await run_timers(
                quick=args.quick, complaints=args.complaints, window=args.window, workers=args.workers
            )
        elif mode == "reconcile":
            results[mode] = await run_reconcile(quick=args.quick, full=args.full)
        else:
            results[mode] = await run_scaling(quick=args.quick)
        print(f"({mode} took {time.monotonic() - started:.0f} s)", flush=True)
    return results


def main() -> None:
    args = parse()
    info = env.machine()
    print(
        f"complaint-service bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.mode}"
        f"{' --quick' if args.quick else ''}{' --full' if args.full else ''}\n"
        f"machine: {info['nproc']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB RAM, "
        f"Linux {info['kernel']}, Python {info['python']}, load average {info['load_average_at_start']}\n"
        f"source: {info['source']}\n"
        "API, workers, PostgreSQL, Redis and this load generator all share these CPUs.",
        flush=True,
    )
    results = asyncio.run(run(args))
    name = args.mode + ("-quick" if args.quick else "-full" if args.full else "")
    report.write_json(name, {"args": vars(args), "machine": info, "results": results})


main()
