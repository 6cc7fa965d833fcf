"""Nothing is lost when Redis is flushed mid-batch or a worker process is killed mid-job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from arq.connections import ArqRedis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import after_commit
from complaint_service.models import Complaint, Event, SlaAction
from complaint_service.settings import Settings
from complaint_service.worker import create_worker
from tests.e2e.test_pipeline import fast
from tests.fixtures.builders import post_canonical
from tests.fixtures.seed import add_agents, add_fast_policy
from tests.fixtures.worker import stop

ROOT = Path(__file__).resolve().parents[2]


async def untriaged(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Complaint).where(Complaint.triaged_at.is_(None))
            )
            or 0
        )


async def pending_actions(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(SlaAction)
                .where(SlaAction.fired_at.is_(None), SlaAction.cancelled_at.is_(None))
            )
            or 0
        )


async def once_each(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        events = (await session.scalars(select(Event))).all()
    triaged = Counter(e.complaint_id for e in events if e.type == "complaint.triaged")
    fired = Counter(
        (e.data["clock_id"], e.data["label"], e.type)
        for e in events
        if e.type in ("sla.warning", "sla.breached", "complaint.escalated")
    )
    assert triaged
    assert set(triaged.values()) == {1}
    assert not fired or set(fired.values()) == {1}


async def wait_for(predicate: object, timeout: float, every: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "recovery did not complete in time"
        await asyncio.sleep(every)


@dataclass(frozen=True)
class Flushes:
    complaints: int
    times: int
    patience_seconds: float


class TestRedisFlush:
    @pytest.mark.parametrize(
        "flushes",
        [
            pytest.param(Flushes(complaints=30, times=1, patience_seconds=45), id="quick"),
            pytest.param(
                Flushes(complaints=300, times=3, patience_seconds=180), id="heavy", marks=pytest.mark.slow
            ),
        ],
    )
    async def test_flushall_mid_batch_loses_no_triage_and_no_timer(
        self,
        flushes: Flushes,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        await add_fast_policy(sessionmaker, seconds=4, escalation_seconds=(0.0,))
        await add_agents(sessionmaker, "tech", 3, capacity=1000)
        for i in range(flushes.complaints):
            await post_canonical(api_client, intake_headers, body=f"APP 闪退 #{i}", external_id=f"flush-{i}")
        await after_commit.drain()
        worker = create_worker(fast(settings), handle_signals=False)
        task = asyncio.create_task(worker.async_run())
        try:
            for _ in range(flushes.times):
                await asyncio.sleep(0.3)
                await redis.flushall()  # queued triage jobs and every deferred timer are gone

            async def recovered() -> bool:
                return await untriaged(sessionmaker) == 0 and await pending_actions(sessionmaker) == 0

            await wait_for(recovered, timeout=flushes.patience_seconds)
        finally:
            await stop([worker], [task])
        await once_each(sessionmaker)


@dataclass(frozen=True)
class Kills:
    complaints: int
    kills: int
    timers: bool  # a policy of a few seconds, so SLA actions fall due (and fire) while workers die
    patience_seconds: float
    # Short, so a killed job is retried soon; long enough for a batch of 500 timers on a busy machine.
    job_timeout_seconds: int


class TestWorkerKilled:
    @pytest.mark.parametrize(
        "kills",
        [
            pytest.param(
                Kills(complaints=150, kills=1, timers=False, patience_seconds=60, job_timeout_seconds=2),
                id="quick",
            ),
            pytest.param(
                Kills(complaints=600, kills=3, timers=True, patience_seconds=240, job_timeout_seconds=10),
                id="heavy",
                marks=pytest.mark.slow,
            ),
        ],
    )
    async def test_sigkill_mid_batch_then_restart_leaves_nothing_undone(
        self,
        kills: Kills,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        await add_agents(sessionmaker, "tech", 3, capacity=1000)
        env = {
            **os.environ,
            "COMPLAINT_DATABASE_URL": str(settings.database_url),
            "COMPLAINT_REDIS_URL": str(settings.redis_url),
            "COMPLAINT_WORKER__QUEUE_NAME": settings.worker.queue_name,
            "COMPLAINT_WORKER__JOB_TIMEOUT_SECONDS": str(kills.job_timeout_seconds),
            "COMPLAINT_WORKER__RECONCILE_EVERY_SECONDS": "1",
            "COMPLAINT_WORKER__TRIAGE_GRACE_SECONDS": "1",
            # Small batches, so a kill lands in the middle of the work: batches of fifty finish the
            # quick variant's complaints between two looks at the count.
            "COMPLAINT_WORKER__BATCH_MAX_SIZE": "5",
            "COMPLAINT_LOG_LEVEL": "WARNING",
        }

        def start_worker() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "complaint_service", "worker"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        if kills.timers:
            await add_fast_policy(sessionmaker, seconds=6, escalation_seconds=(0.0,))
        for i in range(kills.complaints):
            await post_canonical(
                api_client, intake_headers, body=f"第{i}次 更新后闪退", external_id=f"kill-{i}"
            )
        await after_commit.drain()
        for kill in range(1, kills.kills + 1):
            victim = start_worker()
            try:
                # Each victim dies after the batch got a little further: kill k of n at k/(n+1) of it.
                left = kills.complaints - kills.complaints * kill // (kills.kills + 1)
                # Looked at often: a worker triages the quick variant's complaints in a second or two.
                await wait_for(
                    lambda left=left: _triaged_down_to(sessionmaker, left),
                    timeout=kills.patience_seconds / 2,
                    every=0.02,
                )
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=10)
            finally:
                if victim.poll() is None:
                    victim.kill()
        assert await untriaged(sessionmaker) > 0, "the batch finished before the kill; nothing was tested"
        survivor = start_worker()
        try:

            async def done() -> bool:
                if await untriaged(sessionmaker) != 0:
                    return False
                return not kills.timers or await pending_actions(sessionmaker) == 0

            await wait_for(done, timeout=kills.patience_seconds)
        finally:
            survivor.terminate()
            survivor.wait(timeout=30)
        await once_each(sessionmaker)


async def _triaged_down_to(sessionmaker: async_sessionmaker[AsyncSession], left: int) -> bool:
    return await untriaged(sessionmaker) <= left
