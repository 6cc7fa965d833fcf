"""The coalescer: items that arrive while a batch runs form the next batch; a bad item fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from complaint_service.core.batching import Coalescer


class Recorder:
    """A batch function that records each batch and can be held open or made to fail."""

    def __init__(self, *, poison: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.poison = poison
        self.running = 0
        self.most_at_once = 0

    async def __call__(self, items: Sequence[int]) -> Mapping[int, str]:
        self.batches.append(list(items))
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.gate.wait()
            if self.poison in items:
                raise ValueError(f"bad item {self.poison}")
            return {item: f"done {item}" for item in items}
        finally:
            self.running -= 1


async def test_an_item_alone_runs_at_once_as_a_batch_of_one() -> None:
    run = Recorder()
    coalescer = Coalescer(run, max_size=10)
    assert await asyncio.wait_for(coalescer.submit(1), timeout=1) == "done 1"
    assert run.batches == [[1]]


async def test_items_arriving_while_a_batch_runs_share_the_next_batch() -> None:
    run = Recorder()
    run.gate.clear()
    sizes: list[int] = []
    coalescer = Coalescer(run, max_size=10, on_batch=sizes.append)
    first = asyncio.create_task(coalescer.submit(0))
    await asyncio.sleep(0.01)  # the first batch is running and held
    rest = [asyncio.create_task(coalescer.submit(i)) for i in range(1, 6)]
    await asyncio.sleep(0.01)
    run.gate.set()

    assert await first == "done 0"
    assert await asyncio.gather(*rest) == [f"done {i}" for i in range(1, 6)]
    assert run.batches == [[0], [1, 2, 3, 4, 5]]
    assert sizes == [1, 5]


async def test_batches_never_exceed_the_maximum_size() -> None:
    run = Recorder()
    run.gate.clear()
    coalescer = Coalescer(run, max_size=3)
    tasks = [asyncio.create_task(coalescer.submit(i)) for i in range(8)]
    await asyncio.sleep(0.01)
    run.gate.set()
    await asyncio.gather(*tasks)
    assert [len(b) for b in run.batches] == [3, 3, 2]
    assert sorted(i for b in run.batches for i in b) == list(range(8))


async def test_linger_gathers_the_items_that_arrive_together() -> None:
    run = Recorder()
    coalescer = Coalescer(run, max_size=10, linger=0.02)

    async def later(i: int) -> str:
        await asyncio.sleep(0.005)
        return await coalescer.submit(i)

    await asyncio.gather(coalescer.submit(0), later(1), later(2))
    assert run.batches == [[0, 1, 2]]


async def test_a_failing_batch_runs_again_item_by_item_and_only_the_bad_item_fails() -> None:
    run = Recorder(poison=2)
    run.gate.clear()
    coalescer = Coalescer(run, max_size=10)
    tasks = [asyncio.create_task(coalescer.submit(i)) for i in range(4)]
    await asyncio.sleep(0.01)
    run.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert [r if isinstance(r, str) else type(r) for r in results] == [
        "done 0",
        "done 1",
        ValueError,
        "done 3",
    ]
    assert run.batches == [[0, 1, 2, 3], [0], [1], [2], [3]]


async def test_a_cancelled_submitter_does_not_cancel_the_batch_of_the_others() -> None:
    run = Recorder()
    run.gate.clear()
    coalescer = Coalescer(run, max_size=10)
    doomed = asyncio.create_task(coalescer.submit(1))
    other = asyncio.create_task(coalescer.submit(2))
    await asyncio.sleep(0.01)
    doomed.cancel()  # as arq's job timeout does
    run.gate.set()

    assert await other == "done 2"
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert run.batches == [[1, 2]]


async def test_with_concurrency_two_batches_run_at_once() -> None:
    run = Recorder()
    run.gate.clear()
    coalescer = Coalescer(run, max_size=10, concurrency=2)
    first = asyncio.create_task(coalescer.submit(0))
    await asyncio.sleep(0.01)  # the first batch is running and held: a second one starts
    rest = [asyncio.create_task(coalescer.submit(i)) for i in range(1, 5)]
    await asyncio.sleep(0.01)
    assert run.most_at_once == 2
    assert run.batches == [[0], [1, 2, 3, 4]]
    run.gate.set()
    assert await asyncio.gather(first, *rest) == [f"done {i}" for i in range(5)]
