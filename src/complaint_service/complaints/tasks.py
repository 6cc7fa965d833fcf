"""Closing resolved complaints that stayed quiet for the configured period."""

from __future__ import annotations

from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import lifecycle
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings, task
from complaint_service.models import Complaint
from complaint_service.models.enums import ComplaintStatus

ACTOR = "system:lifecycle"
BATCH = 500


@task("complaints.auto_close")
async def auto_close(session: AsyncSession) -> int:
    """A customer message reopens a resolved complaint and clears `resolved_at`, so quiet = old `resolved_at`.

    Rows are claimed with SKIP LOCKED: every worker may run the sweep, none closes one twice. A
    partial index on resolved complaints keeps the sweep proportional to what is due.
    """
    quiet = timedelta(hours=session_settings(session).lifecycle.auto_close_after_hours)
    due = (
        await session.scalars(
            select(Complaint)
            .where(
                Complaint.status == ComplaintStatus.resolved.value, Complaint.resolved_at <= utcnow() - quiet
            )
            .order_by(Complaint.resolved_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for complaint in due:
        await lifecycle.close(session, complaint, actor=ACTOR, reason="quiet after resolution")
    return len(due)


FUNCTIONS: list[Function] = [auto_close]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            auto_close.coroutine,
            name="complaints.auto_close.cron",
            second={0},
            run_at_startup=True,
            unique=True,
        )
    ]
