"""`enqueue` writes arq's own job records in one script: arq reads them, and ids collapse duplicates."""

from __future__ import annotations

from datetime import timedelta

import structlog
from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus
from arq.utils import to_unix_ms

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import Enqueue, enqueue, enqueue_many


async def test_arq_reads_the_job_with_its_arguments_and_request_id(redis: ArqRedis) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-42")
    try:
        assert await enqueue(redis, "triage.classify", "c-1") is True
    finally:
        structlog.contextvars.clear_contextvars()

    job = Job("triage.classify:c-1", redis, _queue_name=redis.default_queue_name)
    info = await job.info()
    assert info is not None
    assert (info.function, info.args, info.kwargs) == ("triage.classify", ("c-1",), {"request_id": "req-42"})
    assert await job.status() is JobStatus.queued
    assert await redis.pttl("arq:job:triage.classify:c-1") > 23 * 3600 * 1000


async def test_the_same_job_id_is_queued_once_until_it_has_run(redis: ArqRedis) -> None:
    assert await enqueue(redis, "routing.drain", "tech") is True
    assert await enqueue(redis, "routing.drain", "tech") is False
    assert await redis.zcard(redis.default_queue_name) == 1
    await redis.delete("arq:job:routing.drain:tech")
    await redis.set("arq:result:routing.drain:tech", b"done")
    assert await enqueue(redis, "routing.drain", "tech") is False  # its result is still kept


async def test_a_deferred_job_is_scored_at_its_time_and_survives_a_script_flush(redis: ArqRedis) -> None:
    due = utcnow() + timedelta(minutes=5)
    await redis.script_flush()  # as after a Redis restart: the script is loaded again
    assert await enqueue(redis, "sla.fire", "a-1", defer_until=due) is True

    score = await redis.zscore(redis.default_queue_name, "sla.fire:a-1")
    assert score == to_unix_ms(due)
    assert (
        await Job("sla.fire:a-1", redis, _queue_name=redis.default_queue_name).status() is JobStatus.deferred
    )


async def test_many_jobs_go_in_one_pipeline_and_duplicates_collapse(redis: ArqRedis) -> None:
    await redis.script_flush()  # the pipeline loads the script itself
    assert await enqueue(redis, "triage.classify", "c-1") is True
    due = utcnow() + timedelta(minutes=1)

    added = await enqueue_many(
        redis,
        [
            Enqueue("triage.classify", ("c-1",)),  # already queued
            Enqueue("triage.classify", ("c-2",)),
            Enqueue("sla.escalate", ("a-1",), job_key="sla.escalate:a-1:7", defer_until=due),
        ],
    )

    assert added == 2
    assert await redis.zcard(redis.default_queue_name) == 3
    info = await Job("sla.escalate:a-1:7", redis, _queue_name=redis.default_queue_name).info()
    assert info is not None
    assert (info.function, info.args, info.score) == ("sla.escalate", ("a-1",), to_unix_ms(due))
    assert await enqueue_many(redis, []) == 0
