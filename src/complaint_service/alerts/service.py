"""Raising spike alerts once per episode, across racing workers, and acknowledging them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.alerts import counting, detection
from complaint_service.alerts.schemas import AlertOut
from complaint_service.core import locks
from complaint_service.core.clock import utcnow
from complaint_service.core.ids import uuid7
from complaint_service.core.problems import NotFound
from complaint_service.models import Alert
from complaint_service.models.alert import AlertDimension
from complaint_service.ops.metrics import ALERTS_RAISED, count_after_commit
from complaint_service.outbound import service as outbound_service
from complaint_service.outbound.events import EventType
from complaint_service.settings import AlertsConfig

log = structlog.get_logger(__name__)


async def evaluate(session: AsyncSession, *, now: datetime, config: AlertsConfig) -> list[Alert]:
    """Compare the window ending at this minute with the windows before it; returns new alerts.

    Run every minute, this is a sliding window: a burst is seen minutes after it starts, and at the
    top of the hour it is exactly "the last complete hour against the trailing hours". Evaluators
    that race compute the same minute, hence the same window.
    """
    now = now.replace(second=0, microsecond=0)
    window = timedelta(minutes=config.window_minutes)
    counts = await counting.window_counts(session, now=now, window=window, windows=config.baseline_windows)
    raised = []
    # Sorted, so concurrent evaluators take the advisory locks in one order and never deadlock.
    for (dimension, value), by_age in sorted(counts.items()):
        current = by_age.get(0, 0)
        if current < config.min_count:
            continue
        assessment = detection.assess(
            current,
            [by_age.get(age, 0) for age in range(1, config.baseline_windows + 1)],
            stddev_factor=config.stddev_factor,
            min_count=config.min_count,
        )
        if assessment.spike:
            alert = await _raise(
                session,
                dimension=dimension,
                value=value,
                window_start=now - window,
                window_end=now,
                assessment=assessment,
            )
            if alert is not None:
                raised.append(alert)
    return raised


async def _raise(
    session: AsyncSession,
    *,
    dimension: AlertDimension,
    value: str,
    window_start: datetime,
    window_end: datetime,
    assessment: detection.Assessment,
) -> Alert | None:
    """A spike overlapping an alert of the same value is that alert's episode going on: extend it.

    The advisory lock serialises evaluators of one value, so the overlap check sees the other's
    committed alert; the unique key (dimension, value, window_start) backs it for the same minute.
    """
    await locks.lock(session, "alerts.spike", dimension.value, value)
    ongoing = await session.scalar(
        select(Alert)
        .where(Alert.dimension == dimension.value, Alert.value == value, Alert.window_end > window_start)
        .order_by(Alert.window_end.desc())
        .limit(1)
    )
    if ongoing is not None:
        ongoing.window_end = max(ongoing.window_end, window_end)
        ongoing.count = max(ongoing.count, assessment.count)
        return None
    alert: Alert | None = await session.scalar(
        pg_insert(Alert)
        .values(
            id=uuid7(),
            dimension=dimension.value,
            value=value,
            window_start=window_start,
            window_end=window_end,
            count=assessment.count,
            baseline_mean=assessment.mean,
            baseline_stddev=assessment.stddev,
            threshold=assessment.threshold,
        )
        .on_conflict_do_nothing(index_elements=["dimension", "value", "window_start"])
        .returning(Alert)
    )
    if alert is None:
        return None
    body = AlertOut.model_validate(alert).model_dump(mode="json")
    await outbound_service.publish(
        session, complaint_id=None, event_type=EventType.alert_raised.value, data=body
    )
    count_after_commit(session, ALERTS_RAISED, dimension.value)
    log.warning("spike_alert_raised", **body)
    return alert


async def acknowledge(session: AsyncSession, *, alert_id: uuid.UUID, actor: str) -> Alert:
    """Idempotent: the first acknowledgement stands, a second one returns it unchanged."""
    alert = await session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFound(f"No alert {alert_id}.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = actor
        await session.flush()
    return alert


async def get(session: AsyncSession, *, alert_id: uuid.UUID) -> Alert:
    alert = await session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id}.")
    return alert


async def list_page(
    session: AsyncSession,
    *,
    acknowledged: bool | None,
    dimension: AlertDimension | None,
    before: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[Alert], uuid.UUID | None]:
    """Newest first; the second value is the cursor for the next page, None on the last one."""
    query = select(Alert)
    if acknowledged is not None:
        query = query.where(
            Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None)
        )
    if dimension is not None:
        query = query.where(Alert.dimension == dimension.value)
    if before is not None:
        query = query.where(Alert.id < before)
    rows = (await session.scalars(query.order_by(Alert.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None
