"""Figures for team leads and supervisors: summary, breakdown by group, and time series."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from complaint_service.analytics import examples, service
from complaint_service.analytics.filters import FigureFilter, for_principal
from complaint_service.analytics.period import Bucket, Period, resolve
from complaint_service.analytics.repository import Dimension
from complaint_service.analytics.schemas import Breakdown, Summary, Timeseries
from complaint_service.auth.dependencies import TeamLead
from complaint_service.core.clock import utcnow
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.models.enums import Category, Channel, Department, Urgency

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
PROBLEMS = problem_responses(401, 403, 422, 503)

PERIODS = """\
**Period**: `from` (inclusive) to `to` (exclusive), ISO 8601; a time without an offset is wall-clock \
time in the service's configured time zone. Defaults: the 30 days up to now.

**Populations**: each figure counts the complaints whose own event fell in the period — *received* \
(`received_at`), *first-response due* (`first_response_due_at`), *first answered* \
(`first_response_at`), *resolved* (`resolved_at`); surveys by when they were sent or answered. \
A complaint merged into another ticket counts once, as that ticket. Each field's description \
below gives the exact definition.

**Access**: team leads and above. A team lead sees only the departments they lead (asking for \
another is 403); supervisors and admins see everything. Filters combine with AND; repeated values \
of one filter with OR. `agent_id` is the current assignee (for satisfaction: the agent who resolved)."""


@dataclass(frozen=True)
class FigureScope:
    period: Period
    where: FigureFilter
    now: datetime


async def figure_scope(
    principal: TeamLead,
    settings: AppSettings,
    start: Annotated[
        datetime | None, Query(alias="from", description="Inclusive; default: 30 days before `to`.")
    ] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Exclusive; default: now.")] = None,
    department: Annotated[list[Department] | None, Query()] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    channel: Annotated[list[Channel] | None, Query()] = None,
    urgency: Annotated[list[Urgency] | None, Query()] = None,
    agent_id: Annotated[uuid.UUID | None, Query(description="The assignee's id.")] = None,
) -> FigureScope:
    now = utcnow()
    period = resolve(start, end, zone=settings.zone, now=now, max_days=settings.analytics.max_period_days)
    where = for_principal(
        principal,
        department=[d.value for d in department or ()],
        category=[c.value for c in category or ()],
        channel=[c.value for c in channel or ()],
        urgency=[u.value for u in urgency or ()],
        agent_id=agent_id,
    )
    return FigureScope(period, where, now)


Scope = Annotated[FigureScope, Depends(figure_scope)]


@router.get(
    "/summary",
    summary="The supervisors' figures for a period",
    description="Volume; response and resolution rate; SLA compliance for first response and resolution; "
    "first-response and resolution time (average, median, p90, in business and wall time); repeat, "
    "reopen, abuse and escalation shares; satisfaction and survey answer rate; conversion; and the "
    "open backlog now by status and age (under 4 h, 4–24 h, 1–3 days, over 3 days), with the "
    "manuals' targets.\n\n" + PERIODS,
    response_model=Summary,
    responses={**example_response(examples.SUMMARY), **PROBLEMS},
)
async def get_summary(session: DbSession, scope: Scope, settings: AppSettings) -> Summary:
    return await service.summary(
        session, period=scope.period, where=scope.where, now=scope.now, targets=settings.analytics.targets
    )


@router.get(
    "/breakdown",
    summary="The figures per category, channel, department, agent, product or app version",
    description="The summary's figures for each value of one dimension, with that group's open backlog. "
    "`by=agent` gives per-agent figures (the current assignee; satisfaction by the agent who "
    "resolved); `by=product` groups by `product_sku`. Complaints without a value form the group "
    "with `key` null.\n\n" + PERIODS,
    response_model=Breakdown,
    responses={**example_response(examples.BREAKDOWN), **PROBLEMS},
)
async def get_breakdown(
    session: DbSession,
    scope: Scope,
    by: Dimension,
    limit: Annotated[int, Query(ge=1, le=500, description="The busiest groups kept.")] = 50,
) -> Breakdown:
    return await service.breakdown(
        session, period=scope.period, where=scope.where, by=by, now=scope.now, limit=limit
    )


@router.get(
    "/timeseries",
    summary="Volume, resolutions and SLA compliance per hour, day or week",
    description="Buckets start on the hour, at local midnight, or on Monday at local midnight in the "
    "configured time zone; every bucket the period touches is listed, empty ones with zeros. Each "
    "count falls in the bucket of its own event: received, first answered, resolved, and the "
    "first-response due time for the response rate.\n\n" + PERIODS,
    response_model=Timeseries,
    responses={**example_response(examples.TIMESERIES), **PROBLEMS},
)
async def get_timeseries(
    session: DbSession, scope: Scope, settings: AppSettings, bucket: Bucket = Bucket.day
) -> Timeseries:
    return await service.timeseries(
        session,
        period=scope.period,
        where=scope.where,
        bucket=bucket,
        now=scope.now,
        max_buckets=settings.analytics.max_buckets,
    )
