"""The delivery job against a real receiver: signatures, retries, dead letters, redelivery, races."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from arq.connections import ArqRedis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import after_commit
from complaint_service.models import Event, WebhookDelivery
from complaint_service.outbound.signing import verify
from complaint_service.outbound.tasks import deliver, reconcile
from complaint_service.settings import Settings
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.http_server import Receiver
from tests.outbound.helpers import (
    ACK_BODY,
    create_complaint,
    create_endpoint,
    deliveries,
    send,
    with_outbound,
)

Sessions = async_sessionmaker[AsyncSession]


async def _delivery(sessionmaker: Sessions, delivery_id: uuid.UUID) -> WebhookDelivery:
    async with sessionmaker() as session:
        return await session.get_one(WebhookDelivery, delivery_id)


class TestDeliver:
    async def test_retries_until_the_receiver_accepts_with_identical_signed_bodies(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        redis: ArqRedis,
        settings: Settings,
        http_receiver: Receiver,
    ) -> None:
        http_receiver.statuses = [500, 500, 200]
        endpoint = await create_endpoint(
            api_client, admin_headers, url=http_receiver.url, event_types=["complaint.resolved"]
        )
        complaint_id = await create_complaint(api_client, make_key)
        message = await send(sessionmaker, complaint_id)
        assert message is not None
        [delivery] = await deliveries(sessionmaker)
        ctx = with_outbound(worker_ctx, settings, backoff_base_seconds=0.01, backoff_cap_seconds=0.05)

        results = [await deliver.coroutine(ctx, str(delivery.id)) for _ in range(3)]
        await after_commit.drain()

        assert results[0].startswith("retry")
        assert results[1].startswith("retry")
        assert results[2] == "delivered"
        # Each failure scheduled a deferred retry under its own key.
        assert await redis.zscore(redis.default_queue_name, f"outbound.deliver:{delivery.id}:1") is not None
        assert await redis.zscore(redis.default_queue_name, f"outbound.deliver:{delivery.id}:2") is not None
        assert len(http_receiver.received) == 3
        bodies = {r.body for r in http_receiver.received}
        assert len(bodies) == 1
        for request in http_receiver.received:
            assert verify(
                endpoint["secret"],
                request.headers["x-complaint-signature"],
                request.body,
                now=int(time.time()),
            )
            assert request.headers["x-complaint-delivery"] == str(delivery.id)
            assert request.headers["x-complaint-event"] == "message.outbound"
            assert request.headers["content-type"] == "application/json"
        sent = json.loads(bodies.pop())
        assert sent["id"] == str(delivery.id)
        assert sent["type"] == "message.outbound"
        assert sent["complaint_id"] == str(complaint_id)
        assert sent["data"]["body"] == ACK_BODY
        assert sent["data"]["message_id"] == str(message.id)
        assert sent["data"]["channel"] == "wechat"
        assert sent["data"]["in_reply_to"].startswith("wx-")
        done = await _delivery(sessionmaker, delivery.id)
        assert done.status == "delivered"
        assert done.attempts == 2
        assert done.last_status_code == 200
        assert done.delivered_at is not None

    async def test_dead_letter_then_redeliver(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        settings: Settings,
        http_receiver: Receiver,
    ) -> None:
        http_receiver.statuses = [500]
        failing = await create_endpoint(api_client, admin_headers, url=http_receiver.url, event_types=["*"])
        ops = await create_endpoint(
            api_client,
            admin_headers,
            url=http_receiver.url.replace("/hooks", "/ops"),
            channels=[],
            event_types=["webhook.dead_lettered"],
        )
        complaint_id = await create_complaint(api_client, make_key)
        await send(sessionmaker, complaint_id)
        [outbound] = [d for d in await deliveries(sessionmaker) if d.event_type == "message.outbound"]
        ctx = with_outbound(
            worker_ctx, settings, retry_window_seconds=1, backoff_base_seconds=0.2, backoff_cap_seconds=0.4
        )

        for _ in range(40):
            if (await deliver.coroutine(ctx, str(outbound.id))).startswith("dead"):
                break
            await asyncio.sleep(0.05)

        dead = await _delivery(sessionmaker, outbound.id)
        assert dead.status == "dead"
        assert dead.attempts >= 2
        assert dead.last_error == "HTTP 500"
        assert dead.last_status_code == 500
        listed = await api_client.get(
            "/v1/webhooks/deliveries", params={"status": "dead"}, headers=admin_headers
        )
        assert [d["id"] for d in listed.json()["items"]] == [str(outbound.id)]
        async with sessionmaker() as session:
            events = (
                await session.scalars(select(Event.type).where(Event.complaint_id == complaint_id))
            ).all()
        assert "webhook.dead_lettered" in events
        notices = [d for d in await deliveries(sessionmaker) if d.event_type == "webhook.dead_lettered"]
        assert [n.endpoint_id for n in notices] == [uuid.UUID(ops["id"])]
        assert notices[0].payload["data"]["delivery_id"] == str(outbound.id)
        assert all(d.endpoint_id != uuid.UUID(failing["id"]) for d in notices)

        redelivered = await api_client.post(
            f"/v1/webhooks/deliveries/{outbound.id}/redeliver", headers=admin_headers
        )
        assert redelivered.status_code == 202, redelivered.text
        assert redelivered.json()["status"] == "pending"
        assert redelivered.json()["attempts"] == dead.attempts
        http_receiver.statuses = [200]
        assert await deliver.coroutine(ctx, str(outbound.id)) == "delivered"
        assert (await _delivery(sessionmaker, outbound.id)).status == "delivered"
        again = await api_client.post(
            f"/v1/webhooks/deliveries/{outbound.id}/redeliver", headers=admin_headers
        )
        assert_problem(again, 409, "conflict")

    async def test_two_workers_racing_send_once(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        http_receiver: Receiver,
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=http_receiver.url)
        await send(sessionmaker, await create_complaint(api_client, make_key))
        [delivery] = await deliveries(sessionmaker)

        results = await asyncio.gather(*(deliver.coroutine(worker_ctx, str(delivery.id)) for _ in range(2)))

        assert sorted(results)[0] == "delivered"
        assert sorted(results)[1] in {"locked by another worker", "not pending: delivered"}
        assert len(http_receiver.received) == 1

    async def test_no_ops(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        http_receiver: Receiver,
    ) -> None:
        endpoint = await create_endpoint(api_client, admin_headers, url=http_receiver.url)
        await send(sessionmaker, await create_complaint(api_client, make_key))
        [delivery] = await deliveries(sessionmaker)
        await api_client.patch(
            f"/v1/webhooks/endpoints/{endpoint['id']}", json={"enabled": False}, headers=admin_headers
        )

        assert await deliver.coroutine(worker_ctx, str(uuid.uuid4())) == "missing"
        assert await deliver.coroutine(worker_ctx, str(delivery.id)) == "dead: endpoint disabled"
        assert await deliver.coroutine(worker_ctx, str(delivery.id)) == "not pending: dead"
        assert http_receiver.received == []

    async def test_unreachable_receiver_is_retried_and_the_error_leaks_no_url(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        await create_endpoint(api_client, admin_headers, url="http://adapter:s3cret-token@127.0.0.1:9/hooks")
        await send(sessionmaker, await create_complaint(api_client, make_key))
        [delivery] = await deliveries(sessionmaker)

        result = await deliver.coroutine(worker_ctx, str(delivery.id))

        failed = await _delivery(sessionmaker, delivery.id)
        assert result.startswith("retry")
        assert failed.status == "pending"
        assert failed.attempts == 1
        assert failed.last_error == "ConnectError"
        assert failed.last_status_code is None
        assert failed.next_attempt_at is not None
        assert failed.next_attempt_at > failed.created_at


class TestReconcile:
    async def test_enqueues_due_deliveries_once(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        redis: ArqRedis,
        http_receiver: Receiver,
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=http_receiver.url)
        await send(sessionmaker, await create_complaint(api_client, make_key))  # no Redis bound: enqueue lost
        [delivery] = await deliveries(sessionmaker)

        assert await reconcile.coroutine(worker_ctx) == 1
        assert await reconcile.coroutine(worker_ctx) == 0
        assert await redis.zscore(redis.default_queue_name, f"outbound.deliver:{delivery.id}:0") is not None
