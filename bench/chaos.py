"""`python -m bench chaos`: the heavy resilience variants (the `slow` tests of tests/e2e), run and recorded.

They are the fault tests with bigger sizes: the API killed 4 times under 2,000 retried requests,
Redis stopped 3 times for 15 s and PostgreSQL 3 times for 10 s under load, Redis flushed 3 times
mid-batch, workers killed 3 times mid-batch while SLA timers fall due. Each counts rows and events
afterwards (every acknowledged complaint stored once, every complaint triaged once, every SLA action
fired once). They run against the bench's PostgreSQL server (a fresh database, dropped after) and an
embedded Redis of their own: the suite sends FLUSHALL, which must not reach anyone else's databases.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from bench.env import DEFAULT_DATABASE_URL, ROOT
from bench.report import show

TESTS = ("tests/e2e/test_faults.py", "tests/e2e/test_resilience.py")


def _outcomes(junit: Path) -> list[dict[str, Any]]:
    cases = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        problem = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        cases.append(
            {
                "test": f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}",
                "outcome": "passed" if problem is None else problem.tag,
                "seconds": round(float(case.get("time", "0")), 1),
                "message": None if problem is None else (problem.get("message") or "")[:500],
            }
        )
    return cases


async def run_chaos() -> dict[str, Any]:
    environ = {
        **os.environ,
        "COMPLAINT_TEST_DATABASE_URL": os.environ.get("COMPLAINT_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    }
    environ.pop("COMPLAINT_TEST_REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="cs-chaos-") as folder:
        junit = Path(folder) / "junit.xml"
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "slow",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={junit}",
            *TESTS,
        ]
        print("$ " + " ".join(argv[2:]), flush=True)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert process.stdout is not None
        async for line in process.stdout:  # through print, so the transcript keeps pytest's report
            print(line.decode(errors="replace"), end="", flush=True)
        code = await process.wait()
        elapsed = time.monotonic() - started
        cases = _outcomes(junit) if junit.exists() else []
    show(
        f"Resilience, heavy variants (pytest -m slow, exit {code}, {elapsed:.0f} s)",
        ["test", "outcome", "seconds"],
        [[c["test"], c["outcome"], c["seconds"]] for c in cases],
    )
    for case in cases:
        if case["message"]:
            print(f"{case['test']}: {case['message']}")
    return {"exit_code": code, "seconds": round(elapsed), "tests": cases}
