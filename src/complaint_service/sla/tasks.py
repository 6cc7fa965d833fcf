"""SLA jobs: fire what is due (batched per quarter second), escalate, and the recovering sweep."""

from __future__ import annotations

import uuid
from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import Enqueue, enqueue, enqueue_many, job_id, session_settings, task
from complaint_service.models import SlaAction
from complaint_service.sla import firing, timers

BATCH = 500


@task("sla.fire_due")
async def fire_due(session: AsyncSession, bucket: int) -> int:
    """Everything due by now fires, whatever bucket woke the job: a late job catches up on all."""
    now = utcnow()
    fired = await firing.fire_batch(session, now=now, limit=BATCH)
    redis = session.info["redis"]
    if fired == BATCH:  # more is due than one batch: continue at once in a fresh job
        await enqueue(
            redis, "sla.fire_due", bucket, job_key=job_id("sla.fire_due", bucket, "more", now.timestamp())
        )
    await enqueue_many(
        redis,
        (
            Enqueue("sla.escalate", (str(action_id),), job_key=timers.escalation_job_key(action_id, due_at))
            for action_id, due_at in await firing.due_escalations(session, now=now, limit=BATCH)
        ),
    )
    return fired


@task("sla.escalate")
async def escalate(session: AsyncSession, action_id: str) -> str:
    return await firing.escalate(session, action_id=uuid.UUID(action_id), now=utcnow())


@task("sla.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Schedule every bucket with work due now or within the look-ahead; O(due), by the partial index."""
    horizon = utcnow() + timedelta(seconds=session_settings(session).worker.timer_lookahead_seconds)
    bucket = func.ceil(func.extract("epoch", SlaAction.due_at) * 1000 / timers.BUCKET_MS)
    buckets = (
        await session.scalars(
            select(bucket)
            .where(*firing.PENDING, SlaAction.due_at <= horizon)
            .group_by(bucket)
            .order_by(bucket)
            .limit(2000)
        )
    ).all()
    redis = session.info["redis"]
    for value in buckets:
        await timers.enqueue_bucket(redis, int(value))
    return len(buckets)


FUNCTIONS: list[Function] = [fire_due, escalate, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="sla.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
