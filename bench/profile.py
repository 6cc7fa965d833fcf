"""`--profile`: py-spy samples a server process while it is under load, and the run says where time went.

The samples are kept in collapsed-stack form (`bench/results/*.txt`; speedscope.app and flamegraph.pl
read it); the printed summary gives each function's inclusive share of the samples, which is how the
intake costs in BENCHMARKS.md were found.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

_LINE_NUMBER = re.compile(r":\d+\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


async def record(pid: int, seconds: float, output: Path) -> asyncio.subprocess.Process:
    """Starts sampling `pid` for `seconds` (100 Hz, without pausing it); await `.wait()` for the file."""
    output.parent.mkdir(exist_ok=True)
    return await asyncio.create_subprocess_exec(
        py_spy(),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "100",
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(output),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def inclusive_shares(collapsed: Path, *, containing: str, top: int = 20) -> list[tuple[float, str]]:
    """The functions whose frames contain `containing`, by the share of samples they are on the stack of."""
    on_stack: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        for frame in {_LINE_NUMBER.sub(")", f) for f in stack.split(";")}:
            if containing in frame:
                on_stack[frame] += samples
    return [(n / total, frame) for frame, n in on_stack.most_common(top)] if total else []


def show(what: str, collapsed: Path) -> None:
    """Prints the service's functions by their inclusive share of the samples in `collapsed`."""
    shares = inclusive_shares(collapsed, containing="complaint_service", top=15)
    print(f"\n{what}, kept in {collapsed.name}; share of samples")
    print("(inclusive) on the stack of each of the service's functions:")
    for share, frame in shares:
        print(f"  {share:6.1%}  {frame}")
