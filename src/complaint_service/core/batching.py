"""Natural batching: items that arrive while a batch runs form the next one.

A worker runs up to `max_jobs` triage jobs at once; each used to open its own transaction and pay
fifteen statements. Coalesced, the jobs that arrive together share one unit of work. An item
submitted to an idle coalescer waits `linger` for company, then runs with whatever came; items that
arrive while a batch runs form the next one, so batches grow with the load. Without the linger, a
steady load well below capacity makes batches of one or two, each paying a batch's whole fixed cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

import structlog

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
log = structlog.get_logger(__name__)


class Coalescer(Generic[K, R]):
    """Runs `run(items)` for the items submitted meanwhile, at most `max_size` at a time and at most
    `concurrency` batches at once (a second batch computes while the first waits on the database).

    `run` returns each item's result. When a batch of several fails, each of its items is run alone,
    so one bad item fails only its own submitter (whose job is then retried by arq), never its
    neighbours'.
    """

    def __init__(
        self,
        run: Callable[[Sequence[K]], Awaitable[Mapping[K, R]]],
        *,
        max_size: int,
        concurrency: int = 1,
        linger: float = 0.0,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._run = run
        self._max_size = max_size
        self._concurrency = concurrency
        self._linger = linger
        self._on_batch = on_batch
        self._waiting: list[tuple[K, asyncio.Future[R]]] = []
        self._runners: set[asyncio.Task[None]] = set()

    async def submit(self, item: K) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if len(self._runners) < self._concurrency:
            runner = asyncio.create_task(self._drain())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        # A cancelled submitter (arq's job timeout) must not cancel the batch its item is in.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        if self._linger:
            await asyncio.sleep(self._linger)
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_size], self._waiting[self._max_size :]
            if self._on_batch is not None:
                self._on_batch(len(batch))
            try:
                await self._run_batch(batch)
            except BaseException as exc:  # cancelled (shutdown): nobody may wait forever
                for _, future in (*batch, *self._waiting):
                    _fail(future, exc)
                self._waiting = []
                raise

    async def _run_batch(self, batch: Sequence[tuple[K, asyncio.Future[R]]]) -> None:
        try:
            _settle(batch, await self._run([item for item, _ in batch]))
        except Exception as exc:
            if len(batch) == 1:
                _fail(batch[0][1], exc)
                return
            log.warning("batch_failed_running_alone", size=len(batch), error=repr(exc))
            for item, future in batch:
                try:
                    _settle([(item, future)], await self._run([item]))
                except Exception as alone:
                    _fail(future, alone)


def _settle(batch: Sequence[tuple[K, asyncio.Future[R]]], results: Mapping[K, R]) -> None:
    for item, future in batch:
        if not future.done():
            future.set_result(results[item])


def _fail(future: asyncio.Future[R], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
