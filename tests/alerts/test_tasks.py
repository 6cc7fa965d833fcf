"""The evaluation job on real workers: one alert and one signed webhook however many jobs race."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.alerts.tasks import evaluate
from complaint_service.core.clock import utcnow
from complaint_service.models import Alert
from complaint_service.settings import Settings
from tests.alerts.helpers import add_complaints, add_steady_traffic
from tests.fixtures.http_server import Receiver
from tests.fixtures.worker import run_until
from tests.outbound.helpers import create_endpoint


class TestEvaluateJob:
    async def test_racing_jobs_raise_one_alert_delivered_once(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
        http_receiver: Receiver,
    ) -> None:
        await create_endpoint(
            api_client, admin_headers, url=http_receiver.url, channels=[], event_types=["alert.raised"]
        )
        now = utcnow().replace(second=0, microsecond=0)
        await add_steady_traffic(sessionmaker, now=now)
        await add_complaints(
            sessionmaker,
            start=now - timedelta(minutes=8),
            span=timedelta(minutes=7),
            n=45,
            category="payment_billing",
        )

        results = await asyncio.gather(*(evaluate.coroutine(worker_ctx) for _ in range(3)))

        assert sorted(results) == [0, 0, 1]
        await run_until(settings, lambda: _received(http_receiver, 1))
        await asyncio.sleep(0.3)  # room for a duplicate to show up
        assert len(http_receiver.received) == 1
        body = json.loads(http_receiver.received[0].body)
        assert http_receiver.received[0].headers["x-complaint-event"] == "alert.raised"
        assert body["type"] == "alert.raised"
        assert body["complaint_id"] is None
        assert body["data"]["dimension"] == "category"
        assert body["data"]["value"] == "payment_billing"
        async with sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Alert)) == 1

    async def test_disabled_alerts_evaluate_nothing(
        self, sessionmaker: async_sessionmaker[AsyncSession], worker_ctx: dict[str, Any], settings: Settings
    ) -> None:
        now = utcnow()
        await add_complaints(
            sessionmaker,
            start=now - timedelta(minutes=8),
            span=timedelta(minutes=7),
            n=45,
            category="privacy",
        )
        off = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"enabled": False})})

        assert await evaluate.coroutine({**worker_ctx, "settings": off}) == 0
        assert await evaluate.coroutine(worker_ctx) == 1


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n
