"""The analytics queries: populations, buckets and the open backlog, all aggregated in PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, Select, String, and_, cast, func, literal, null, select, text, union_all
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics import figures
from complaint_service.analytics.figures import FIRST_RESPONSE_MET, RESOLUTION_MET, Population
from complaint_service.analytics.filters import FigureFilter, complaint_conditions, survey_conditions
from complaint_service.analytics.period import Bucket, Period
from complaint_service.models import Agent, Complaint, CustomerActivity, Survey
from complaint_service.models import complaint as complaint_model

C = Complaint
# The partial index's own predicate as literal SQL: with bound values the planner could not match it.
OPEN_BACKLOG = text(complaint_model.OPEN_BACKLOG)
Key = str | None


class Dimension(StrEnum):
    category = "category"
    channel = "channel"
    department = "department"
    agent = "agent"
    product = "product"
    app_version = "app_version"


# The complaint column, and the survey's column when the survey keeps its own copy.
_GROUPS: dict[Dimension, tuple[Any, Any]] = {
    Dimension.category: (C.category, Survey.category),
    Dimension.channel: (C.channel, C.channel),
    Dimension.department: (C.department, Survey.department),
    Dimension.agent: (C.assignee_id, Survey.agent_id),
    Dimension.product: (C.product_sku, C.product_sku),
    Dimension.app_version: (C.app_version, C.app_version),
}


def _query(population: Population, where: FigureFilter, group: Any) -> Select[Any]:
    query = select(*population.aggregates).select_from(population.table).where(*population.where)
    if population.table is Survey:
        if where.channel or where.urgency or (group is not None and group.class_ is C):
            query = query.join(C, C.id == Survey.complaint_id)
        query = query.where(*survey_conditions(where))
    else:
        query = query.where(*complaint_conditions(where))
    if population.with_activity:
        query = query.outerjoin(CustomerActivity, CustomerActivity.customer_id == C.customer_id)
    if group is not None:
        query = query.add_columns(group.label("key")).group_by(group)
    return query


def _key(value: Any) -> Key:
    return None if value is None else str(value)


async def figure_values(
    session: AsyncSession, period: Period, where: FigureFilter, *, now: datetime, by: Dimension | None = None
) -> dict[Key, dict[str, Any]]:
    """Every population's aggregates merged by name, per group (one group, None, without `by`)."""
    values: defaultdict[Key, dict[str, Any]] = defaultdict(dict)
    for population in (*figures.complaint_populations(period, now=now), *figures.survey_populations(period)):
        group = None if by is None else _GROUPS[by][0 if population.table is C else 1]
        for row in (await session.execute(_query(population, where, group))).mappings():
            values[_key(row["key"]) if group is not None else None].update(
                {name: value for name, value in row.items() if name != "key"}
            )
    return values


async def open_counts(session: AsyncSession, where: FigureFilter, *, by: Dimension) -> dict[Key, int]:
    column = _GROUPS[by][0]
    rows = await session.execute(
        select(column, func.count())
        .where(OPEN_BACKLOG, *complaint_conditions(where, open_only=True))
        .group_by(column)
    )
    return {_key(key): count for key, count in rows.all()}


async def agent_names(session: AsyncSession, keys: Sequence[Key]) -> dict[str, str]:
    ids = [k for k in keys if k is not None]
    if not ids:
        return {}
    rows = await session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))
    return {str(agent_id): name for agent_id, name in rows.all()}


async def backlog(session: AsyncSession, where: FigureFilter, *, now: datetime) -> Sequence[RowMapping]:
    """Open complaints by status and by how long ago they were received."""
    first, second, third = (now - age for age in figures.AGE_BUCKETS)
    rows = await session.execute(
        select(
            C.status,
            func.count().label("total"),
            func.count().filter(C.received_at > first).label("under_4h"),
            func.count().filter(and_(C.received_at <= first, C.received_at > second)).label("from_4h_to_24h"),
            func.count().filter(and_(C.received_at <= second, C.received_at > third)).label("from_1d_to_3d"),
            func.count().filter(C.received_at <= third).label("over_3d"),
        )
        .where(OPEN_BACKLOG, *complaint_conditions(where, open_only=True))
        .group_by(C.status)
    )
    return rows.mappings().all()


def _bucket(column: Any, bucket: Bucket, period: Period) -> Any:
    """The local wall-clock start of the bucket, as date_trunc on the time in the configured zone."""
    return func.date_trunc(bucket.value, func.timezone(str(period.zone), column))


def _median(value: Any) -> Any:
    return func.percentile_cont(0.5).within_group(cast(value, Float))


# Per population of the time series: (column bucketed, judged, met, median).
_SERIES: dict[str, tuple[Any, Any, Any, Any]] = {
    "received": (C.received_at, func.count(), literal(0), cast(null(), Float)),
    "due": (
        C.first_response_due_at,
        func.count(),
        func.count().filter(FIRST_RESPONSE_MET),
        cast(null(), Float),
    ),
    "answered": (
        C.first_response_at,
        func.count(C.first_response_due_at),
        func.count().filter(FIRST_RESPONSE_MET),
        _median(C.first_response_business_seconds),
    ),
    "resolved": (
        C.resolved_at,
        func.count(C.resolution_due_at),
        func.count().filter(RESOLUTION_MET),
        _median(C.resolution_business_seconds),
    ),
}


async def buckets(
    session: AsyncSession, period: Period, where: FigureFilter, *, bucket: Bucket, now: datetime
) -> Sequence[RowMapping]:
    """(kind, start, n, judged, met, median) per population and bucket: one UNION ALL of grouped
    range scans, each on its own timestamp's index."""
    conditions = complaint_conditions(where)
    branches = []
    for population in figures.complaint_populations(period, now=now):
        column, judged, met, median = _SERIES[population.name]
        start = _bucket(column, bucket, period)
        branches.append(
            select(
                literal(population.name, String).label("kind"),
                start.label("start"),
                func.count().label("n"),
                judged.label("judged"),
                met.label("met"),
                median.label("median"),
            )
            .where(*population.where, *conditions)
            .group_by(start)
        )
    return (await session.execute(union_all(*branches))).mappings().all()
