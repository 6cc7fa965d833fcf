"""A customer's history as the caller may see it: complaint counts, repeats, satisfaction, compensation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Complaint, Survey
from complaint_service.models.enums import OPEN_STATUSES, ComplaintFlag, SurveyStatus


@dataclass(frozen=True)
class ComplaintCounts:
    total: int
    open: int
    repeats: int
    reopened: int
    second_handling: int


async def counts(
    session: AsyncSession, *, customer_id: uuid.UUID, visible_departments: Sequence[str] | None
) -> ComplaintCounts:
    query = select(
        func.count(),
        func.count().filter(Complaint.status.in_([s.value for s in OPEN_STATUSES])),
        func.count().filter(Complaint.flags.contains([ComplaintFlag.repeat.value])),
        func.count().filter(Complaint.reopen_count > 0),
        func.count().filter(Complaint.flags.contains([ComplaintFlag.second_handling.value])),
    ).where(Complaint.customer_id == customer_id)
    if visible_departments is not None:
        query = query.where(Complaint.department.in_(visible_departments))
    total, open_, repeats, reopened, second = (await session.execute(query)).one()
    return ComplaintCounts(total, open_, repeats, reopened, second)


async def latest_scores(session: AsyncSession, *, complaint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each complaint's most recent survey answer (a complaint resolved twice may have two)."""
    if not complaint_ids:
        return {}
    rows = await session.execute(
        select(Survey.complaint_id, Survey.score)
        .where(Survey.complaint_id.in_(complaint_ids), Survey.status == SurveyStatus.answered.value)
        .order_by(Survey.complaint_id, Survey.answered_at.desc())
        .ext(distinct_on(Survey.complaint_id))
    )
    return {row.complaint_id: row.score for row in rows}
