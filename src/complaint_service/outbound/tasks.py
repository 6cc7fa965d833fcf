"""Webhook jobs: deliver one signed delivery with retries, and the reconciler that re-enqueues due ones."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import structlog
from arq.connections import ArqRedis
from arq.cron import CronJob, cron
from arq.worker import Function
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import (
    Enqueue,
    enqueue_after_commit,
    enqueue_many,
    session_http,
    session_settings,
    task,
)
from complaint_service.models import WebhookDelivery, WebhookEndpoint
from complaint_service.models.enums import DeliveryStatus
from complaint_service.ops.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_DEAD_LETTERS, count_after_commit
from complaint_service.outbound import repository, signing
from complaint_service.outbound import service as outbound_service
from complaint_service.outbound.backoff import next_delay
from complaint_service.outbound.events import EventType
from complaint_service.settings import OutboundConfig

ACTOR = "system:outbound"
RECONCILE_BATCH = 1000
# arq scores deferred jobs in whole milliseconds, so a retry may wake a hair before its due time.
EARLY_TOLERANCE = timedelta(seconds=1)
log = structlog.get_logger(__name__)


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


async def _post(
    session: AsyncSession, *, delivery: WebhookDelivery, endpoint: WebhookEndpoint, config: OutboundConfig
) -> tuple[int | None, str | None]:
    """(status code, error); the error is short and never carries the URL, which may hold credentials."""
    body = encode(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": config.user_agent,
        signing.SIGNATURE_HEADER: signing.sign(endpoint.secret, int(utcnow().timestamp()), body),
        signing.DELIVERY_HEADER: str(delivery.id),
        signing.EVENT_HEADER: delivery.event_type,
    }
    try:
        async with asyncio.timeout(config.timeout_seconds):
            # Streamed and never read: a receiver's answer body is of no use and could be huge.
            async with session_http(session).stream(
                "POST", endpoint.url, content=body, headers=headers
            ) as answer:
                status = answer.status_code
    except (httpx.HTTPError, TimeoutError) as exc:
        return None, type(exc).__name__
    return status, None if 200 <= status < 300 else f"HTTP {status}"


async def _dead_letter(session: AsyncSession, *, delivery: WebhookDelivery) -> None:
    delivery.status = DeliveryStatus.dead.value
    delivery.next_attempt_at = None
    data = {
        "delivery_id": str(delivery.id),
        "endpoint_id": str(delivery.endpoint_id),
        "event_type": delivery.event_type,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "last_status_code": delivery.last_status_code,
    }
    if delivery.complaint_id is not None:
        await timeline.record(
            session, complaint_id=delivery.complaint_id, type="webhook.dead_lettered", actor=ACTOR, data=data
        )
    # Never about a dead letter notice itself, nor to the endpoint that failed: either could loop.
    if delivery.event_type != EventType.webhook_dead_lettered.value:
        await outbound_service.publish(
            session,
            complaint_id=delivery.complaint_id,
            event_type=EventType.webhook_dead_lettered.value,
            data=data,
            exclude_endpoint_id=delivery.endpoint_id,
        )
    count_after_commit(session, WEBHOOK_DEAD_LETTERS)
    log.warning("webhook_dead_lettered", **data)


async def _failed(
    session: AsyncSession,
    *,
    delivery: WebhookDelivery,
    status_code: int | None,
    error: str,
    config: OutboundConfig,
    give_up: bool = False,
) -> str:
    delivery.attempts += 1
    delivery.last_error = error
    delivery.last_status_code = status_code
    now = utcnow()
    delay = timedelta(
        seconds=next_delay(
            delivery.attempts - 1, base=config.backoff_base_seconds, cap=config.backoff_cap_seconds
        )
    )
    if give_up or now + delay > delivery.created_at + timedelta(seconds=config.retry_window_seconds):
        await _dead_letter(session, delivery=delivery)
        return f"dead: {error}"
    delivery.next_attempt_at = now + delay
    enqueue_after_commit(
        session,
        outbound_service.DELIVER,
        str(delivery.id),
        job_key=outbound_service.deliver_job_key(delivery.id, delivery.attempts),
        defer_until=delivery.next_attempt_at,
    )
    return f"retry in {delay.total_seconds():.2f}s: {error}"


@task(outbound_service.DELIVER, holds_connection=True)
async def deliver(session: AsyncSession, delivery_id: str) -> str:
    """Send one delivery; a no-op unless it is pending, due and not held by another worker.

    The HTTP call runs under the row lock inside the job's transaction. That is what makes the
    after-commit job, a deferred retry and the reconciler send a delivery once when they race;
    the hard timeout around the request bounds how long the lock is held.
    """
    key = uuid.UUID(delivery_id)
    claimed = await repository.claim(session, delivery_id=key)
    if claimed is None:
        exists = await repository.delivery_exists(session, delivery_id=key)
        return "locked by another worker" if exists else "missing"
    delivery, endpoint = claimed
    if delivery.status != DeliveryStatus.pending.value:
        return f"not pending: {delivery.status}"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > utcnow() + EARLY_TOLERANCE:
        return "not due yet"
    config = session_settings(session).outbound
    if not endpoint.enabled:
        return await _failed(
            session,
            delivery=delivery,
            status_code=None,
            error="endpoint disabled",
            config=config,
            give_up=True,
        )
    status_code, error = await _post(session, delivery=delivery, endpoint=endpoint, config=config)
    WEBHOOK_ATTEMPTS.labels("failed" if error else "delivered").inc()  # the POST happened, commit or not
    if error is not None:
        return await _failed(session, delivery=delivery, status_code=status_code, error=error, config=config)
    delivery.status = DeliveryStatus.delivered.value
    delivery.delivered_at = utcnow()
    delivery.last_status_code = status_code
    delivery.next_attempt_at = None
    return "delivered"


@task("outbound.reconcile")
async def reconcile(session: AsyncSession) -> int:
    """Re-enqueue pending deliveries due soon; their job keys collapse with jobs already queued."""
    settings = session_settings(session)
    redis: ArqRedis = session.info["redis"]
    until = utcnow() + timedelta(seconds=settings.worker.timer_lookahead_seconds)
    return await enqueue_many(
        redis,
        (
            Enqueue(
                outbound_service.DELIVER,
                (str(row.id),),
                job_key=outbound_service.deliver_job_key(row.id, row.attempts),
                defer_until=row.next_attempt_at,
            )
            for row in await repository.due(session, until=until, limit=RECONCILE_BATCH)
        ),
    )


FUNCTIONS: list[Function] = [deliver, reconcile]


def crons(every_seconds: int) -> list[CronJob]:
    return [
        cron(
            reconcile.coroutine,
            name="outbound.reconcile.cron",
            second=set(range(0, 60, every_seconds)),
            run_at_startup=True,
            unique=True,
        )
    ]
