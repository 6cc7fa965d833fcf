"""End to end: a committed send reaches the receiver through Redis and a real arq worker."""

from __future__ import annotations

import json

import httpx
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.settings import Settings
from tests.fixtures.app import MakeKey
from tests.fixtures.http_server import Received, Receiver
from tests.fixtures.worker import run_until
from tests.outbound.helpers import create_complaint, create_endpoint, deliveries, send


class TestWorkerDelivery:
    async def test_send_is_delivered_by_a_real_worker(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: ArqRedis,
        settings: Settings,
        http_receiver: Receiver,
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=http_receiver.url)
        complaint_id = await create_complaint(api_client, make_key)
        body = "您好，我们已核实扣款，订单已补发，给您带来不便深表歉意。"
        message = await send(sessionmaker, complaint_id, body=body, info={"redis": redis})
        assert message is not None

        def ours() -> list[Received]:
            return [
                r
                for r in http_receiver.received
                if json.loads(r.body)["data"].get("message_id") == str(message.id)
            ]

        async def delivered() -> bool:
            return bool(ours())

        await run_until(settings, delivered)
        ours = ours()
        assert len(ours) == 1
        assert json.loads(ours[0].body)["data"]["body"] == body
        [delivery] = [d for d in await deliveries(sessionmaker) if d.message_id == message.id]
        assert delivery.status == "delivered"
        assert delivery.attempts == 0
