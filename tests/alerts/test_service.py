"""Spike evaluation against real traffic in PostgreSQL: bursts, steady load, episodes and races."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.alerts import service as alert_service
from complaint_service.models import Alert, Complaint, WebhookDelivery, WebhookEndpoint
from complaint_service.settings import AlertsConfig
from tests.alerts.helpers import add_complaints, add_steady_traffic

Sessions = async_sessionmaker[AsyncSession]
# Mid-hour on purpose: the sliding window must not wait for the top of the hour.
NOW = datetime(2026, 11, 22, 10, 37, tzinfo=UTC)
CONFIG = AlertsConfig()


async def _evaluate(sessionmaker: Sessions, now: datetime = NOW) -> list[Alert]:
    async with sessionmaker() as session, session.begin():
        return await alert_service.evaluate(session, now=now, config=CONFIG)


async def _alerts(sessionmaker: Sessions) -> list[Alert]:
    async with sessionmaker() as session:
        return list((await session.scalars(select(Alert).order_by(Alert.id))).all())


async def _burst(sessionmaker: Sessions, *, end: datetime, n: int = 40) -> None:
    await add_complaints(
        sessionmaker,
        start=end - timedelta(minutes=10),
        span=timedelta(minutes=9),
        n=n,
        category="product_defect",
    )


class TestEvaluate:
    async def test_steady_traffic_raises_nothing(self, sessionmaker: Sessions) -> None:
        await add_steady_traffic(sessionmaker, now=NOW)

        assert await _evaluate(sessionmaker) == []
        assert await _alerts(sessionmaker) == []

    async def test_a_burst_of_one_category_raises_exactly_one_alert(self, sessionmaker: Sessions) -> None:
        await add_steady_traffic(sessionmaker, now=NOW)
        await _burst(sessionmaker, end=NOW)

        [raised] = await _evaluate(sessionmaker)

        [alert] = await _alerts(sessionmaker)
        assert alert.id == raised.id
        assert (alert.dimension, alert.value) == ("category", "product_defect")
        assert alert.window_start == NOW - timedelta(hours=1)
        assert alert.window_end == NOW
        # The last hour held the steady 20-22 plus the burst of 40.
        assert alert.count == 40 + 20 + (0 + 2) % 3
        assert 20 < alert.baseline_mean < 22
        assert alert.count > alert.threshold == alert.baseline_mean + 3 * alert.baseline_stddev

    async def test_a_spike_going_on_extends_its_alert_instead_of_raising_another(
        self, sessionmaker: Sessions
    ) -> None:
        await add_steady_traffic(sessionmaker, now=NOW)
        await _burst(sessionmaker, end=NOW)
        await _evaluate(sessionmaker)
        await _burst(sessionmaker, end=NOW + timedelta(minutes=10), n=10)

        later = NOW + timedelta(minutes=10)
        assert await _evaluate(sessionmaker, later) == []

        [alert] = await _alerts(sessionmaker)
        assert alert.window_start == NOW - timedelta(hours=1)
        assert alert.window_end == later
        assert alert.count >= 40 + 10 + 20 - 4  # the later window lost a few steady minutes, gained 10

    async def test_a_new_burst_after_the_episode_is_a_new_alert(self, sessionmaker: Sessions) -> None:
        await _burst(sessionmaker, end=NOW, n=12)
        await _evaluate(sessionmaker)
        much_later = NOW + timedelta(hours=3)
        await _burst(sessionmaker, end=much_later, n=30)

        await _evaluate(sessionmaker, much_later)

        first, second = await _alerts(sessionmaker)
        assert second.window_start == much_later - timedelta(hours=1) >= first.window_end

    async def test_abusive_floods_and_merged_duplicates_do_not_count(self, sessionmaker: Sessions) -> None:
        async def recent(category: str, n: int = 30, **fields: Any) -> None:
            start = NOW - timedelta(minutes=10)
            await add_complaints(
                sessionmaker, start=start, span=timedelta(minutes=5), n=n, category=category, **fields
            )

        await recent("service_attitude", flags=["suspected_abuse"])
        await recent("refund_return", n=1)
        async with sessionmaker() as session:
            ticket = await session.scalar(select(Complaint.id).where(Complaint.category == "refund_return"))
        await recent("refund_return", merged_into_id=ticket)

        assert await _evaluate(sessionmaker) == []

        # The same traffic, neither held nor merged, is a spike in both categories.
        await recent("service_attitude")
        await recent("refund_return")
        assert sorted(a.value for a in await _evaluate(sessionmaker)) == ["refund_return", "service_attitude"]

    async def test_products_and_app_versions_are_watched_too(self, sessionmaker: Sessions) -> None:
        await add_complaints(
            sessionmaker,
            start=NOW - timedelta(minutes=20),
            span=timedelta(minutes=15),
            n=15,
            category=None,
            product_sku="SKU-7",
            app_version="5.3.0",
        )

        raised = await _evaluate(sessionmaker)

        assert sorted((a.dimension, a.value) for a in raised) == [
            ("app_version", "5.3.0"),
            ("product_sku", "SKU-7"),
        ]

    async def test_racing_evaluators_raise_one_alert_and_one_webhook(self, sessionmaker: Sessions) -> None:
        await add_steady_traffic(sessionmaker, now=NOW)
        await _burst(sessionmaker, end=NOW)
        async with sessionmaker() as session, session.begin():
            session.add(
                WebhookEndpoint(
                    name="ops", url="http://127.0.0.1:9/x", secret="s" * 32, event_types=["alert.raised"]
                )
            )

        # Same minute (two workers on one tick) and the next minute (a late worker), all at once.
        results = await asyncio.gather(
            _evaluate(sessionmaker),
            _evaluate(sessionmaker),
            _evaluate(sessionmaker, NOW + timedelta(minutes=1)),
        )

        assert sum(len(r) for r in results) == 1
        assert len(await _alerts(sessionmaker)) == 1
        async with sessionmaker() as session:
            [delivery] = (await session.scalars(select(WebhookDelivery))).all()
        assert delivery.event_type == "alert.raised"
        assert delivery.complaint_id is None
        assert delivery.payload["complaint_id"] is None
        assert delivery.payload["data"]["value"] == "product_defect"
