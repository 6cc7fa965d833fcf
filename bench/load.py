"""The load generator: open-loop at a set rate, closed-loop as fast as answered, and a ramp to find the top.

Requests are built by a `make(i)` callback before they are due, sent over the raw keep-alive lanes of
bench/client.py, and timed with the monotonic clock; the wall-clock arrival of each answer is kept
for comparing with timestamps the service writes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.client import Connection, Request
from bench.report import summary

Make = Callable[[int], Request]
OK = (200, 201)


@dataclass
class Sample:
    """Monotonic times of one request: when it was due to be sent, sent, and answered."""

    status: int
    scheduled: float
    sent: float
    done: float
    done_wall: float
    complaint_id: str | None


async def send(idle: asyncio.Queue[Connection], request: Request, scheduled: float) -> Sample:
    """Waits for a free lane (that wait counts: latency runs from `scheduled`), sends, and times it."""
    lane = await idle.get()
    sent = time.monotonic()
    try:
        reply = await lane.request(request)
    finally:
        idle.put_nowait(lane)
    done_wall, done = time.time(), time.monotonic()
    location = reply.headers.get("location", "") if reply.status in OK else ""
    complaint_id = location.rsplit("/", 1)[-1] or None
    return Sample(reply.status, scheduled, sent, done, done_wall, complaint_id)


async def open_loop(
    idle: asyncio.Queue[Connection], make: Make, *, rate: float, seconds: float, first: int = 0
) -> list[Sample]:
    """Request i is due at t0 + i/rate whatever happened to earlier ones.

    A request due while every lane is busy waits in the client; that wait counts in its latency,
    which runs from when it was due (no coordinated omission).
    """
    total = int(rate * seconds)
    t0 = time.monotonic() + 0.2
    tasks: list[asyncio.Task[Sample]] = []
    for i in range(total):
        request = make(first + i)
        scheduled = t0 + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(idle, request, scheduled)))
    return list(await asyncio.gather(*tasks))


async def closed_loop(
    idle: asyncio.Queue[Connection],
    make: Make,
    *,
    total: int | None = None,
    seconds: float | None = None,
    first: int = 0,
) -> list[Sample]:
    """One request per lane in flight, the next as soon as the last is answered: the server sets the pace.

    Stops after `total` requests or `seconds`, whichever is given.
    """
    counter = iter(range(first, first + total) if total is not None else range(first, 1 << 62))
    until = time.monotonic() + seconds if seconds is not None else float("inf")
    samples: list[Sample] = []

    async def lane() -> None:
        for i in counter:
            if time.monotonic() >= until:
                return
            request = make(i)
            samples.append(await send(idle, request, time.monotonic()))

    await asyncio.gather(*(lane() for _ in range(idle.qsize())))
    return samples


def throughput(samples: Sequence[Sample]) -> float:
    """2xx per second between the first send and the last answer."""
    ok = [s for s in samples if s.status in OK]
    if len(ok) < 2:
        return 0.0
    return len(ok) / (max(s.done for s in samples) - min(s.sent for s in samples))


def errors(samples: Sequence[Sample]) -> dict[str, int]:
    """Non-2xx answers by status; `0` is no answer (refused, reset, or a client timeout)."""
    counts: dict[str, int] = {}
    for s in samples:
        if s.status not in OK:
            counts[str(s.status)] = counts.get(str(s.status), 0) + 1
    return counts


def latency(samples: Sequence[Sample], *, from_due: bool) -> dict[str, float]:
    """Milliseconds of the 2xx answers, from when each was due (open loop) or sent."""
    return summary(
        [(s.done - (s.scheduled if from_due else s.sent)) * 1000 for s in samples if s.status in OK]
    )


async def ramp(
    connect: Callable[[int], Any], make: Make, *, levels: Sequence[int], seconds: float
) -> dict[str, Any]:
    """Closed loop at each concurrency in `levels`; the maximum is the best sustained 2xx/s.

    `connect(n)` opens n lanes (an async context manager). Stops climbing once a level gains less
    than 5% over the one before: the server, not the client, is the limit by then.
    """
    steps: list[dict[str, Any]] = []
    used = ok = 0
    for level in levels:
        async with connect(level) as idle:
            samples = await closed_loop(idle, make, seconds=seconds, first=used)
        used += len(samples)
        ok += sum(1 for s in samples if s.status in OK)
        steps.append(
            {
                "in_flight": level,
                "per_s": round(throughput(samples), 1),
                "latency_ms": latency(samples, from_due=False),
                "errors": errors(samples),
            }
        )
        if len(steps) > 1 and steps[-1]["per_s"] < steps[-2]["per_s"] * 1.05:
            break
    best = max(steps, key=lambda s: s["per_s"])
    return {"max_per_s": best["per_s"], "at": best, "steps": steps, "requests_used": used, "ok": ok}
