"""Assignment inside a department: strategy, capacity, shift, language and the waiting queue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Agent, Complaint, Department
from complaint_service.routing.tasks import drain
from complaint_service.triage.tasks import classify
from tests.fixtures.builders import post_canonical
from tests.fixtures.seed import add_agents

DELIVERY = "快递三天没有更新物流信息"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
# A shift every day, but today is a day off: the agent is off shift now.
CLOSED = {
    "timezone": "Asia/Shanghai",
    "hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "closed_dates": [TODAY],
    "use_cn_holidays": False,
}


async def triage_new(
    client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any], count: int, **fields: Any
) -> list[uuid.UUID]:
    ids = []
    for n in range(count):
        # A customer each: six copies from one customer would be held as a flood by abuse screening.
        sender = {"customer": {"phone": f"1390000{n:04d}"}}
        created = await post_canonical(client, headers, subject="物流", body=DELIVERY, **(sender | fields))
        ids.append(uuid.UUID(created.json()["id"]))
        await classify.coroutine(ctx, str(ids[-1]))
    return ids


async def assignees(
    sessionmaker: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]
) -> list[uuid.UUID | None]:
    async with sessionmaker() as session:
        rows = {
            c.id: c.assignee_id for c in await session.scalars(select(Complaint).where(Complaint.id.in_(ids)))
        }
    return [rows[i] for i in ids]


class TestAssignment:
    async def test_capacity_is_honoured_and_the_overflow_waits_in_the_queue(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        agents = await add_agents(sessionmaker, "logistics", 2, capacity=1)
        ids = await triage_new(api_client, intake_headers, worker_ctx, 3)

        got = await assignees(sessionmaker, ids)
        assert set(got[:2]) == {a.id for a in agents}
        assert got[2] is None
        async with sessionmaker() as session:
            counts = {a.id: a.open_count for a in await session.scalars(select(Agent))}
        assert counts == {a.id: 1 for a in agents}

        async with sessionmaker() as session, session.begin():
            await session.execute(update(Agent).where(Agent.id == agents[0].id).values(capacity=2))
        assert await drain.coroutine(worker_ctx, "logistics") == 1
        assert (await assignees(sessionmaker, ids))[2] == agents[0].id

    async def test_round_robin_takes_turns_and_least_loaded_fills_the_emptiest(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        agents = await add_agents(sessionmaker, "logistics", 3, capacity=100)
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Department).where(Department.key == "logistics").values(strategy="round_robin")
            )
        ids = await triage_new(api_client, intake_headers, worker_ctx, 6)

        order = await assignees(sessionmaker, ids)
        assert order[:3] == order[3:]
        assert set(order) == {a.id for a in agents}

    async def test_off_shift_away_and_wrong_language_agents_are_skipped(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "logistics", 1, schedule=CLOSED)
        await add_agents(sessionmaker, "logistics", 1, status="away")
        await add_agents(sessionmaker, "logistics", 1, languages=["en"])
        (speaker,) = await add_agents(sessionmaker, "logistics", 1, languages=["zh-Hans"])

        ids = await triage_new(api_client, intake_headers, worker_ctx, 2)

        assert await assignees(sessionmaker, ids) == [speaker.id, speaker.id]
