"""One request id end to end: from X-Request-ID into the jobs a request causes, their events and log lines."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
from arq.connections import ArqRedis
from arq.jobs import Job
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import after_commit
from complaint_service.core.jobs import task
from complaint_service.models import Complaint, Event
from complaint_service.settings import Settings
from tests.fixtures.builders import post_canonical
from tests.fixtures.worker import run_until

REQUEST_ID = "trace-7f3a9c"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every line the service logs at INFO and above, rendered by the service's own formatter (JSON)."""
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(root.handlers[0].formatter)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        assert isinstance(handler.stream, io.StringIO)
        yield handler.stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@task("test.probe")
async def probe(session: AsyncSession) -> str:
    structlog.get_logger("complaint_service.test").warning("probe_ran")
    return "ok"


class TestRequestIds:
    async def test_the_request_id_reaches_the_job_and_every_event_it_writes(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: ArqRedis,
        settings: Settings,
    ) -> None:
        response = await post_canonical(api_client, intake_headers | {"X-Request-ID": REQUEST_ID})
        assert response.headers["x-request-id"] == REQUEST_ID
        complaint_id = response.json()["id"]
        await after_commit.drain()

        queued = await Job(f"triage.classify:{complaint_id}", redis).info()
        assert queued is not None
        assert queued.kwargs == {"request_id": REQUEST_ID}

        async def triaged() -> bool:
            async with sessionmaker() as session:
                return (
                    await session.scalar(select(Complaint.triaged_at).where(Complaint.id == complaint_id))
                    is not None
                )

        await run_until(settings, triaged)

        async with sessionmaker() as session:
            events = (
                await session.execute(
                    select(Event.type, Event.request_id).where(Event.complaint_id == complaint_id)
                )
            ).all()
        by_job = [e for e in events if e.type != "complaint.received"]
        assert by_job, events  # triage wrote events of its own
        assert {e.request_id for e in events} == {REQUEST_ID}

    async def test_log_lines_of_a_request_and_of_its_job_carry_the_request_id(
        self,
        api_client: httpx.AsyncClient,
        worker_ctx: dict[str, Any],
        log_lines: io.StringIO,
    ) -> None:
        await api_client.get("/healthz", headers={"X-Request-ID": REQUEST_ID})
        await probe.coroutine(worker_ctx, request_id=REQUEST_ID)

        text = log_lines.getvalue()
        [access] = [line for line in text.splitlines() if "complaint_service.access" in line]
        [job] = [line for line in text.splitlines() if "probe_ran" in line]
        assert REQUEST_ID in access
        assert REQUEST_ID in job
        assert "test.probe" in job  # the job's name is bound too

    async def test_jobs_from_crons_have_no_request_id_of_an_earlier_request(
        self, api_client: httpx.AsyncClient, worker_ctx: dict[str, Any], log_lines: io.StringIO
    ) -> None:
        await api_client.get("/healthz", headers={"X-Request-ID": REQUEST_ID})
        await probe.coroutine(worker_ctx)

        [line] = [line for line in log_lines.getvalue().splitlines() if "probe_ran" in line]
        assert REQUEST_ID not in line
