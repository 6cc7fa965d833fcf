"""Queries for webhook endpoints and deliveries: subscribers, claims, due work, keyset pages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core import config_cache
from complaint_service.models import WebhookDelivery, WebhookEndpoint
from complaint_service.models.enums import DeliveryStatus
from complaint_service.outbound.events import EventType


class EndpointRoute(NamedTuple):
    id: uuid.UUID
    channels: tuple[str, ...]
    event_types: tuple[str, ...]


async def _load_enabled(session: AsyncSession) -> list[EndpointRoute]:
    rows = await session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.channels, WebhookEndpoint.event_types)
        .where(WebhookEndpoint.enabled)
        .order_by(WebhookEndpoint.id)
    )
    return [EndpointRoute(r.id, tuple(r.channels), tuple(r.event_types)) for r in rows]


async def _enabled(session: AsyncSession) -> list[EndpointRoute]:
    """Enabled endpoints: every triage job publishes several events, so they are configuration-cached."""
    return await config_cache.cached(session, "webhook_endpoints", _load_enabled)


async def subscribers(
    session: AsyncSession, *, event_type: str, exclude: uuid.UUID | None = None
) -> Sequence[uuid.UUID]:
    wanted = {event_type, EventType.all.value}
    return [e.id for e in await _enabled(session) if wanted.intersection(e.event_types) and e.id != exclude]


async def channel_adapters(session: AsyncSession, *, channel: str) -> Sequence[uuid.UUID]:
    return [e.id for e in await _enabled(session) if channel in e.channels]


async def claim(
    session: AsyncSession, *, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """Lock the delivery for this transaction; None when it is missing or another worker holds it."""
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id == delivery_id)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def delivery_exists(session: AsyncSession, *, delivery_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(WebhookDelivery.id == delivery_id))))


class Due(NamedTuple):
    id: uuid.UUID
    attempts: int
    next_attempt_at: datetime


async def due(session: AsyncSession, *, until: datetime, limit: int) -> list[Due]:
    """Pending deliveries due by `until`, soonest first (served by the partial pending index)."""
    query = (
        select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending.value, WebhookDelivery.next_attempt_at <= until
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return [Due(id_, attempts, at) for id_, attempts, at in await session.execute(query) if at is not None]


async def get_delivery(
    session: AsyncSession, *, delivery_id: uuid.UUID, for_update: bool = False
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_deliveries(
    session: AsyncSession,
    *,
    status: DeliveryStatus | None,
    endpoint_id: uuid.UUID | None,
    before: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[WebhookDelivery], uuid.UUID | None]:
    """Newest first; the second value is the cursor for the next page, None on the last one."""
    query = select(WebhookDelivery)
    if status is not None:
        query = query.where(WebhookDelivery.status == status.value)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = (await session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def get_endpoint(session: AsyncSession, *, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return await session.get(WebhookEndpoint, endpoint_id)


async def list_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    return (await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))).all()
