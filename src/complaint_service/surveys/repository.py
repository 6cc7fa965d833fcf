"""Survey queries: filtered keyset pages and CSAT figures (DOMAIN.md: scored 4–5 ÷ answered)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Complaint, Survey
from complaint_service.models.enums import SurveyStatus

SATISFIED_MIN_SCORE = 4


@dataclass(frozen=True)
class SurveyFilter:
    department: str | None = None
    agent_id: uuid.UUID | None = None
    complaint_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    status: str | None = None
    sent_from: datetime | None = None
    sent_to: datetime | None = None
    visible_departments: Sequence[str] | None = None  # None: every department


def _conditions(f: SurveyFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.department is not None:
        conditions.append(Survey.department == f.department)
    if f.agent_id is not None:
        conditions.append(Survey.agent_id == f.agent_id)
    if f.complaint_id is not None:
        conditions.append(Survey.complaint_id == f.complaint_id)
    if f.status is not None:
        conditions.append(Survey.status == f.status)
    if f.sent_from is not None:
        conditions.append(Survey.sent_at >= f.sent_from)
    if f.sent_to is not None:
        conditions.append(Survey.sent_at < f.sent_to)
    if f.visible_departments is not None:
        conditions.append(Survey.department.in_(f.visible_departments))
    if f.customer_id is not None:
        owned = select(Complaint.id).where(Complaint.customer_id == f.customer_id)
        conditions.append(Survey.complaint_id.in_(owned))
    return conditions


async def list_page(
    session: AsyncSession, *, where: SurveyFilter, before: uuid.UUID | None, limit: int
) -> tuple[Sequence[Survey], uuid.UUID | None]:
    query = select(Survey).where(*_conditions(where))
    if before is not None:
        query = query.where(Survey.id < before)
    rows = (await session.scalars(query.order_by(Survey.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


@dataclass(frozen=True)
class Figures:
    """`sent` leaves out superseded surveys: each resolution counts once, by its latest survey."""

    sent: int
    answered: int
    satisfied: int
    average_score: float | None

    @property
    def csat(self) -> float | None:
        return round(self.satisfied / self.answered, 4) if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return round(self.answered / self.sent, 4) if self.sent else None


def _figures_query(*keys: Any) -> Select[Any]:
    answered = Survey.status == SurveyStatus.answered.value
    return select(
        *keys,
        func.count().filter(Survey.status != SurveyStatus.superseded.value).label("sent"),
        func.count().filter(answered).label("answered"),
        func.count().filter(answered, Survey.score >= SATISFIED_MIN_SCORE).label("satisfied"),
        func.avg(Survey.score).filter(answered).label("average_score"),
    )


def _figures(row: Any) -> Figures:
    average = row.average_score
    return Figures(
        sent=row.sent,
        answered=row.answered,
        satisfied=row.satisfied,
        average_score=round(float(average), 2) if average is not None else None,
    )


async def figures(session: AsyncSession, *, where: SurveyFilter) -> Figures:
    return _figures((await session.execute(_figures_query().where(*_conditions(where)))).one())


async def figures_by(
    session: AsyncSession, *, key: Any, where: SurveyFilter
) -> list[tuple[str | None, Figures]]:
    """Per agent or per department (`key` is the column), most surveys answered first."""
    rows = await session.execute(
        _figures_query(key.label("key"))
        .where(*_conditions(where))
        .group_by(key)
        .order_by(func.count().filter(Survey.status == SurveyStatus.answered.value).desc(), key)
    )
    return [(str(row.key) if row.key is not None else None, _figures(row)) for row in rows]
