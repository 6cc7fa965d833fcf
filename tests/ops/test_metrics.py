"""Prometheus metrics: the API's /metrics, counters fed by real intake, jobs, SLA timers and webhooks,
and the worker's own metrics port."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.app import create_app
from complaint_service.core import after_commit
from complaint_service.core.jobs import enqueue
from complaint_service.models import Event, WebhookDelivery
from complaint_service.ops.metrics import SLA_ACTIONS_FIRED, count_after_commit
from complaint_service.outbound.tasks import deliver
from complaint_service.settings import MetricsConfig, Settings
from complaint_service.sla.tasks import escalate
from complaint_service.worker import create_worker
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import post_canonical
from tests.fixtures.http_server import Receiver
from tests.fixtures.seed import add_fast_policy
from tests.fixtures.worker import run_until, stop
from tests.outbound.helpers import create_complaint, create_endpoint, deliveries, send

Sessions = async_sessionmaker[AsyncSession]
NS = "complaint_service"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text; 0 when the labelled series does not exist yet."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def scrape(client: httpx.AsyncClient, **headers: str) -> str:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


class TestApiMetrics:
    async def test_latency_is_labelled_by_route_template_never_by_raw_path(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        complaint_id = uuid.uuid4()
        labels = {"method": "GET", "route": "/v1/complaints/{complaint_id}", "status": "404"}
        before = sample(await scrape(api_client), f"{NS}_http_request_duration_seconds_count", **labels)

        response = await api_client.get(f"/v1/complaints/{complaint_id}", headers=reader_headers)
        await api_client.get("/no/such/path")

        assert response.status_code == 404
        text = await scrape(api_client)
        assert sample(text, f"{NS}_http_request_duration_seconds_count", **labels) == before + 1
        assert sample(text, f"{NS}_http_request_duration_seconds_count", route="unmatched", status="404") >= 1
        assert str(complaint_id) not in text
        assert "/no/such/path" not in text

    async def test_new_complaints_count_by_channel_and_duplicates_do_not(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        name = f"{NS}_complaints_received_total"
        before = sample(await scrape(api_client), name, channel="weibo")

        first = await post_canonical(api_client, intake_headers, channel="weibo", external_id="wb-metrics-1")
        again = await post_canonical(api_client, intake_headers, channel="weibo", external_id="wb-metrics-1")
        await after_commit.drain()

        assert (first.status_code, again.status_code) == (201, 200)
        assert sample(await scrape(api_client), name, channel="weibo") == before + 1

    async def test_queue_depth_and_database_pool_are_read_at_scrape_time(
        self, api_client: httpx.AsyncClient, redis: ArqRedis, settings: Settings
    ) -> None:
        for n in range(3):
            await enqueue(redis, "triage.classify", f"queued-{n}")

        text = await scrape(api_client)

        assert sample(text, f"{NS}_queue_depth") == await redis.zcard(settings.worker.queue_name) == 3
        assert sample(text, f"{NS}_db_pool_size", pool="api") == settings.db_pool_size
        # This scrape runs outside any session; the requests before it gave their connections back.
        assert sample(text, f"{NS}_db_pool_checked_out", pool="api") == 0

    async def test_an_optional_bearer_token_protects_metrics(self, settings: Settings) -> None:
        protected = settings.model_copy(
            update={"metrics": MetricsConfig(bearer_token=SecretStr("s3cret-scraper"))}
        )
        app: FastAPI = create_app(protected)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                missing = await client.get("/metrics")
                wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
                right = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
        assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
        assert missing.headers["content-type"].startswith("application/problem+json")


class TestWorkerMetrics:
    async def test_job_duration_and_failures_by_job_name(self, worker_ctx: dict[str, Any]) -> None:
        failures = value(f"{NS}_job_failures_total", job="sla.escalate")
        runs = value(f"{NS}_job_duration_seconds_count", job="sla.escalate")

        assert await escalate.coroutine(worker_ctx, str(uuid.uuid4())) == "missing"
        with pytest.raises(ValueError, match="badly formed"):
            await escalate.coroutine(worker_ctx, "not-a-uuid")

        assert value(f"{NS}_job_duration_seconds_count", job="sla.escalate") == runs + 2
        assert value(f"{NS}_job_failures_total", job="sla.escalate") == failures + 1

    async def test_webhook_attempts_by_outcome(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
        http_receiver: Receiver,
    ) -> None:
        http_receiver.statuses = [503, 200]
        await create_endpoint(api_client, admin_headers, url=http_receiver.url)
        await send(sessionmaker, await create_complaint(api_client, make_key))
        [delivery] = await deliveries(sessionmaker)
        failed = value(f"{NS}_webhook_attempts_total", outcome="failed")
        delivered = value(f"{NS}_webhook_attempts_total", outcome="delivered")

        await deliver.coroutine(worker_ctx, str(delivery.id))
        async with sessionmaker() as session, session.begin():
            await session.execute(  # due again now, instead of after the backoff
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery.id)
                .values(next_attempt_at=func.now())
            )
        await deliver.coroutine(worker_ctx, str(delivery.id))

        assert value(f"{NS}_webhook_attempts_total", outcome="failed") == failed + 1
        assert value(f"{NS}_webhook_attempts_total", outcome="delivered") == delivered + 1

    async def test_sla_warnings_and_breaches_fired_by_real_workers_are_counted_once(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        settings: Settings,
    ) -> None:
        await add_fast_policy(sessionmaker, seconds=1.5)
        before = {kind: value(f"{NS}_sla_actions_fired_total", kind=kind) for kind in ("warning", "breach")}
        response = await post_canonical(api_client, intake_headers)
        assert response.status_code == 201

        async def fired(kind: str) -> int:
            async with sessionmaker() as session:
                count = await session.scalar(
                    select(func.count()).select_from(Event).where(Event.type == kind)
                )
            return count or 0

        async def breached() -> bool:
            return await fired("sla.breached") >= 1

        await run_until(settings, breached, timeout=30)
        await after_commit.drain()

        warnings, breaches = await fired("sla.warning"), await fired("sla.breached")
        assert warnings >= 2  # the fast policy warns at 75% and 90% of the first-response target
        assert value(f"{NS}_sla_actions_fired_total", kind="warning") - before["warning"] == warnings
        assert value(f"{NS}_sla_actions_fired_total", kind="breach") - before["breach"] == breaches

    async def test_counts_after_commit_only(self, sessionmaker: Sessions) -> None:
        before = value(f"{NS}_sla_actions_fired_total", kind="test")
        async with sessionmaker() as session:
            async with session.begin():
                count_after_commit(session, SLA_ACTIONS_FIRED, "test", amount=3)
            await session.begin()
            count_after_commit(session, SLA_ACTIONS_FIRED, "test", amount=5)
            await session.rollback()
        await after_commit.drain()

        assert value(f"{NS}_sla_actions_fired_total", kind="test") == before + 3

    async def test_the_worker_serves_metrics_on_its_own_port(
        self, settings: Settings, redis: ArqRedis
    ) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        worker_config = settings.worker.model_copy(update={"metrics_port": port})
        worker = create_worker(settings.model_copy(update={"worker": worker_config}), handle_signals=False)
        worker.health_check_interval = 0  # sample the queue depth on every poll
        await enqueue(redis, "triage.classify", str(uuid.uuid4()), defer_until=None)
        await redis.zadd(settings.worker.queue_name, {"parked-far-away": 9e15})
        task = asyncio.create_task(worker.async_run())
        try:
            async with httpx.AsyncClient() as client:
                for _ in range(100):
                    try:
                        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
                    except httpx.TransportError:
                        text = ""
                    if f'{NS}_job_duration_seconds_count{{job="triage.classify"}}' in text:
                        break
                    await asyncio.sleep(0.1)
            assert sample(text, f"{NS}_job_duration_seconds_count", job="triage.classify") >= 1
            assert sample(text, f"{NS}_db_pool_size", pool="worker") == settings.db_pool_size
            assert sample(text, f"{NS}_queue_depth") >= 1  # the parked entry stays queued
        finally:
            await stop([worker], [task])
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.TransportError):
                await client.get(f"http://127.0.0.1:{port}/metrics")
