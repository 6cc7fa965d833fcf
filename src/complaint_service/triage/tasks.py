"""Triage jobs: classify one complaint, and the sweep that recovers complaints never triaged."""

from __future__ import annotations

import uuid
from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import Enqueue, enqueue_many, session_settings, task
from complaint_service.models import Complaint
from complaint_service.triage import service as triage_service


@task("triage.classify")
async def classify(session: AsyncSession, complaint_id: str) -> str:
    return await triage_service.triage(session, complaint_id=uuid.UUID(complaint_id))


@task("triage.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Complaints committed but untriaged past the grace period: their enqueue was lost."""
    grace = timedelta(seconds=session_settings(session).worker.triage_grace_seconds)
    ids = (
        await session.scalars(
            select(Complaint.id)
            .where(Complaint.triaged_at.is_(None), Complaint.created_at <= utcnow() - grace)
            .order_by(Complaint.created_at)
            .limit(5000)
        )
    ).all()
    await enqueue_many(
        session.info["redis"],
        (Enqueue("triage.classify", (str(complaint_id),)) for complaint_id in ids),
    )
    return len(ids)


FUNCTIONS: list[Function] = [classify, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="triage.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
