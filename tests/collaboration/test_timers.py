"""A request's deadline on the SLA timers, with real arq workers: warnings and breach fire once, on time,
after a lost Redis too, and never for a request answered in time."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import after_commit
from complaint_service.core.clock import utcnow
from complaint_service.settings import Settings
from tests.collaboration.conftest import MakeComplaint, asked, events_of
from tests.e2e.test_pipeline import fast
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson
from tests.fixtures.seed import add_fast_policy
from tests.fixtures.worker import run_until

Sessions = async_sessionmaker[AsyncSession]
ALERTS = ("collaboration.warning", "collaboration.breached")


async def fired(sessionmaker: Sessions, complaint_id: uuid.UUID) -> Counter[tuple[str, str, str]]:
    """(request id, event type, label) of every warning and breach on the complaint's timeline."""
    return Counter(
        (e.data["request_id"], e.type, e.data["label"])
        for e in await events_of(sessionmaker, complaint_id)
        if e.type in ALERTS
    )


class TestDeadlineTimers:
    async def test_warnings_and_breach_fire_once_on_time_and_reach_team_leads_and_webhooks(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
        settings: Settings,
        redis: ArqRedis,
        http_receiver: Receiver,
    ) -> None:
        # Around the clock with warnings at 75 % and 90 %: the policy's, as for the complaint's clocks.
        await add_fast_policy(sessionmaker, seconds=3600)
        endpoint = {"name": "tech pager", "url": http_receiver.url, "event_types": list(ALERTS)}
        assert (
            await api_client.post("/v1/webhooks/endpoints", json=endpoint, headers=admin_headers)
        ).status_code == 201
        agent = await make_person("agent", ["customer_service"])
        lead = await make_person("team_lead", ["tech"], status="active")
        await make_person("team_lead", ["tech"], status="away")  # not on duty: not told
        await make_person("team_lead", ["finance"], status="active")
        complaint_id = await make_complaint()
        created = await asked(
            api_client, agent.headers, complaint_id, due_at=(utcnow() + timedelta(seconds=3)).isoformat()
        )

        async def breached_and_delivered() -> bool:
            return (created["id"], "collaboration.breached", "breach") in await fired(
                sessionmaker, complaint_id
            ) and len(http_receiver.received) >= 3

        await run_until(fast(settings), breached_and_delivered, workers=2, timeout=30)
        await run_until(fast(settings), _after(seconds=2), workers=2)  # the reconciler keeps sweeping

        assert await fired(sessionmaker, complaint_id) == {
            (created["id"], "collaboration.warning", "75%"): 1,
            (created["id"], "collaboration.warning", "90%"): 1,
            (created["id"], "collaboration.breached", "breach"): 1,
        }
        events = {
            e.type + e.data["label"]: e
            for e in await events_of(sessionmaker, complaint_id)
            if e.type in ALERTS
        }
        breach = events["collaboration.breachedbreach"]
        assert (breach.data["from_department"], breach.data["to_department"]) == ("customer_service", "tech")
        assert breach.data["notified"] == [str(lead.id)]
        assert "notified" not in events["collaboration.warning75%"].data
        # A loose bound: two workers share this test's process; `bench timers` measures precision.
        assert all(e.data["lateness_ms"] < 3000 for e in events.values())
        hooks = [json.loads(r.body) for r in http_receiver.received]
        assert sorted(h["type"] for h in hooks) == [
            "collaboration.breached",
            "collaboration.warning",
            "collaboration.warning",
        ]
        assert all(h["data"]["request_id"] == created["id"] for h in hooks)
        shown = (await api_client.get(f"/v1/collaborations/{created['id']}", headers=agent.headers)).json()
        assert shown["status"] == "open"
        assert shown["warned_at"] is not None
        assert datetime.fromisoformat(shown["breached_at"]) == datetime.fromisoformat(breach.data["fired_at"])

    async def test_the_reconciler_fires_the_deadline_after_redis_lost_its_job(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        await add_fast_policy(sessionmaker, seconds=3600)
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()
        created = await asked(
            api_client, agent.headers, complaint_id, due_at=(utcnow() + timedelta(seconds=2)).isoformat()
        )
        await after_commit.drain()
        assert await redis.keys("arq:job:sla.fire_due:*")
        await redis.flushdb()

        async def breached() -> bool:
            return (created["id"], "collaboration.breached", "breach") in await fired(
                sessionmaker, complaint_id
            )

        await run_until(fast(settings), breached, timeout=30)

        counts = await fired(sessionmaker, complaint_id)
        assert counts[(created["id"], "collaboration.breached", "breach")] == 1
        assert max(counts.values()) == 1

    async def test_a_request_answered_in_time_never_breaches(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        await add_fast_policy(sessionmaker, seconds=3600)
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        complaint_id = await make_complaint()
        due = (utcnow() + timedelta(seconds=3)).isoformat()
        answered = await asked(api_client, agent.headers, complaint_id, due_at=due)
        ignored = await asked(api_client, agent.headers, complaint_id, due_at=due)
        response = await api_client.post(
            f"/v1/collaborations/{answered['id']}/answer", json={"answer": "已修复"}, headers=engineer.headers
        )
        assert response.status_code == 200, response.text

        async def other_breached() -> bool:
            return (ignored["id"], "collaboration.breached", "breach") in await fired(
                sessionmaker, complaint_id
            )

        await run_until(fast(settings), other_breached, timeout=30)
        await run_until(fast(settings), _after(seconds=1.5))

        assert {request_id for request_id, _, _ in await fired(sessionmaker, complaint_id)} == {ignored["id"]}
        shown = (await api_client.get(f"/v1/collaborations/{answered['id']}", headers=agent.headers)).json()
        assert (shown["status"], shown["warned_at"], shown["breached_at"]) == ("answered", None, None)


def _after(*, seconds: float) -> Callable[[], Awaitable[bool]]:
    """Keeps the workers running a while longer, to see that nothing fires twice (or late)."""
    deadline = time.monotonic() + seconds

    async def done() -> bool:
        return time.monotonic() >= deadline

    return done
