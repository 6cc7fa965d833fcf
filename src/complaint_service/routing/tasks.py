"""Routing jobs: drain a department queue, and a sweep that catches queues nobody drained."""

from __future__ import annotations

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.jobs import Enqueue, enqueue_many, task
from complaint_service.models import Complaint
from complaint_service.models.enums import ComplaintStatus
from complaint_service.routing import service as routing_service


@task("routing.drain")
async def drain(session: AsyncSession, department_key: str) -> int:
    return await routing_service.drain(session, department_key=department_key)


@task("routing.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Queues wait for capacity or a shift start; re-check every queued department each pass."""
    departments = (
        await session.scalars(
            select(Complaint.department)
            .distinct()
            .where(
                Complaint.assignee_id.is_(None),
                Complaint.status == ComplaintStatus.triaged.value,
                Complaint.department.is_not(None),
            )
        )
    ).all()
    await enqueue_many(session.info["redis"], (Enqueue("routing.drain", (key,)) for key in departments))
    return len(departments)


FUNCTIONS: list[Function] = [drain, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="routing.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
