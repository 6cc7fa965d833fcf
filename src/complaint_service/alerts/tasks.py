"""Alert jobs: the sliding-window spike evaluation, on every worker's cron."""

from __future__ import annotations

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.alerts import service as alert_service
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings, task


@task("alerts.evaluate")
async def evaluate(session: AsyncSession) -> int:
    config = session_settings(session).alerts
    if not config.enabled:
        return 0
    return len(await alert_service.evaluate(session, now=utcnow(), config=config))


FUNCTIONS: list[Function] = [evaluate]


def crons(every_minutes: int) -> list[CronJob]:
    """`unique`: one worker runs each tick; should two overlap anyway, the alert's unique key holds."""
    return [
        cron(
            evaluate.coroutine,
            name="alerts.evaluate.cron",
            minute=set(range(0, 60, every_minutes)),
            second=5,  # a few seconds into the minute, so complaints received just before it are committed
            unique=True,
        )
    ]
