"""Incident jobs: send an update in batches, link stragglers after opening, and the sweep for lost sends."""

from __future__ import annotations

import uuid
from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import Enqueue, enqueue_many, job_id, session_settings, task
from complaint_service.incidents import notices
from complaint_service.incidents import service as incidents_service
from complaint_service.models import IncidentUpdate


@task(notices.NOTIFY)
async def notify(session: AsyncSession, update_id: str) -> int:
    return await notices.send_batch(session, update_id=uuid.UUID(update_id))


@task(incidents_service.SWEEP)
async def sweep(session: AsyncSession, incident_id: str) -> int:
    return await incidents_service.sweep(session, incident_id=uuid.UUID(incident_id))


@task("incidents.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Updates not completely sent past the grace period: their job was lost or failed for good."""
    grace = timedelta(seconds=session_settings(session).worker.triage_grace_seconds)
    ids = (
        await session.scalars(
            select(IncidentUpdate.id)
            .where(IncidentUpdate.completed_at.is_(None), IncidentUpdate.created_at <= utcnow() - grace)
            .order_by(IncidentUpdate.created_at)
            .limit(1000)
        )
    ).all()
    await enqueue_many(
        session.info["redis"],
        (
            Enqueue(notices.NOTIFY, (str(update_id),), job_key=job_id(notices.NOTIFY, update_id, "sweep"))
            for update_id in ids
        ),
    )
    return len(ids)


FUNCTIONS: list[Function] = [notify, sweep, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="incidents.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
