"""The worker claims a poll's jobs in one script, by arq's rules: due, queued, not running elsewhere."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from arq.worker import func

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue
from complaint_service.settings import Settings
from complaint_service.worker import RedisTolerantWorker

RAN: list[str] = []


async def probe(ctx: dict[str, Any], name: str, **_: Any) -> str:
    RAN.append(name)
    return name


def _worker(settings: Settings, redis: ArqRedis, max_jobs: int) -> RedisTolerantWorker:
    assert settings.redis_url is not None
    worker = RedisTolerantWorker(
        functions=[func(probe, name="test.probe")],
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        queue_name=redis.default_queue_name,
        max_jobs=max_jobs,
        handle_signals=False,
    )
    worker._pool = redis
    return worker


async def test_one_claim_starts_the_due_jobs_and_skips_running_and_deferred_ones(
    settings: Settings, redis: ArqRedis
) -> None:
    RAN.clear()
    for name in ("a", "b", "c"):
        await enqueue(redis, "test.probe", name)
    await enqueue(redis, "test.probe", "later", defer_until=utcnow() + timedelta(minutes=5))
    await redis.set(in_progress_key_prefix + "test.probe:b", b"1")  # another worker runs it
    worker = _worker(settings, redis, max_jobs=10)
    ids = [f"test.probe:{n}".encode() for n in ("a", "b", "c", "later", "gone")]

    await worker.start_jobs(ids)

    assert sorted(worker.tasks) == ["test.probe:a", "test.probe:c"]
    assert (
        await redis.exists(in_progress_key_prefix + "test.probe:a", in_progress_key_prefix + "test.probe:c")
        == 2
    )
    assert not await redis.exists(in_progress_key_prefix + "test.probe:later")
    await asyncio.gather(*worker.tasks.values())
    assert sorted(RAN) == ["a", "c"]
    assert worker.job_counter == 0  # every slot taken for a skipped or finished job is back
    assert await redis.zrange(redis.default_queue_name, 0, -1) == [b"test.probe:b", b"test.probe:later"]


async def test_a_claim_takes_only_as_many_jobs_as_there_are_free_slots(
    settings: Settings, redis: ArqRedis
) -> None:
    RAN.clear()
    for name in ("a", "b", "c"):
        await enqueue(redis, "test.probe", name)
    worker = _worker(settings, redis, max_jobs=2)

    await worker.start_jobs([f"test.probe:{n}".encode() for n in ("a", "b", "c")])

    assert sorted(worker.tasks) == ["test.probe:a", "test.probe:b"]
    await asyncio.gather(*worker.tasks.values())
    assert worker.job_counter == 0
    assert await redis.zrange(redis.default_queue_name, 0, -1) == [b"test.probe:c"]  # the next poll's
