"""Triage jobs: classify one complaint, and the sweep that recovers complaints never triaged."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import Enqueue, batched_task, enqueue_many, session_settings, task
from complaint_service.models import Complaint
from complaint_service.triage import service as triage_service


# No result kept: a triage job's outcome is on the complaint and its timeline, and at 200 complaints a
# second every result written and expired is Redis work on the hot path.
@batched_task("triage.classify", keep_result_seconds=0)
async def classify(session: AsyncSession, items: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """The complaints whose jobs a worker runs at once are triaged in one unit of work."""
    ids = {item: uuid.UUID(item) for item, _ in items}
    outcomes = await triage_service.triage_many(
        session,
        complaint_ids=list(ids.values()),
        request_ids={ids[item]: request_id for item, request_id in items},
    )
    return {item: outcomes[complaint_id] for item, complaint_id in ids.items()}


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
