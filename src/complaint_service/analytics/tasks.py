"""The durations sweep: fills business-time durations the event hooks did not (old rows, other paths)."""

from __future__ import annotations

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics import durations
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue, job_id, task

BATCH = 1000


@task("analytics.fill_durations")
async def fill_durations(session: AsyncSession) -> int:
    """O(pending) by a partial index; a full batch continues at once in a fresh job (a backfill)."""
    filled = await durations.backfill(session, limit=BATCH)
    if filled == BATCH:
        await enqueue(
            session.info["redis"],
            "analytics.fill_durations",
            job_key=job_id("analytics.fill_durations", "more", utcnow().timestamp()),
        )
    return filled


FUNCTIONS: list[Function] = [fill_durations]


def crons() -> list[CronJob]:
    """Once a minute: the hooks fill durations as events happen, so the sweep rarely finds any."""
    return [
        cron(
            fill_durations.coroutine,
            name="analytics.fill_durations.cron",
            second={30},
            run_at_startup=True,
            unique=True,
        )
    ]
