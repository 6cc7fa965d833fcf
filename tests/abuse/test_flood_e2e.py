"""Acceptance: a flood from one sender reaches agents only up to the threshold; the rest awaits review."""

from __future__ import annotations

import uuid

import httpx
from arq.connections import ArqRedis
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Event
from complaint_service.settings import Settings
from tests.e2e.test_pipeline import fast
from tests.fixtures.people import MakePerson
from tests.fixtures.seed import add_agents
from tests.fixtures.senders import submit
from tests.fixtures.worker import run_until

# One angry customer, thirty times in two minutes, with the small variations a thumb makes.
FLOOD = [
    "你们APP支付失败扣了我钱！！！马上退款",
    "你們APP支付失敗扣了我錢！！！馬上退款",
    "你们APP支付失败扣了我钱！！！！马上退款😡",
]


async def count(sessionmaker: async_sessionmaker[AsyncSession], query: Select[int]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(query) or 0


class TestFlood:
    async def test_thirty_copies_make_at_most_five_assignments_and_a_review_queue(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
        make_person: MakePerson,
    ) -> None:
        await add_agents(sessionmaker, "finance", 4, capacity=20)
        ids = [
            await submit(
                api_client, intake_headers, FLOOD[n % 3], sender=7, channel=("wechat", "app_feedback")[n % 2]
            )
            for n in range(30)
        ]

        async def all_triaged() -> bool:
            untriaged = select(func.count()).select_from(Complaint).where(Complaint.triaged_at.is_(None))
            return await count(sessionmaker, untriaged) == 0

        await run_until(fast(settings), all_triaged, workers=2, timeout=60)

        assignments = select(func.count()).select_from(Event).where(Event.type == "complaint.assigned")
        assert await count(sessionmaker, assignments) <= 5
        lead = await make_person("team_lead", ["finance"])
        queue = (
            await api_client.get("/v1/abuse/reviews", params={"limit": 200}, headers=lead.headers)
        ).json()
        held = {uuid.UUID(item["complaint_id"]) for item in queue["items"]}
        assert len(held) == 25
        assert held <= set(ids)
        assert all(item["reasons"][0] == "flood" for item in queue["items"])  # past 20, also the rate limit
        assert all(item["complaint"]["assignee_id"] is None for item in queue["items"])

        first = queue["items"][0]["complaint_id"]
        confirmed = await api_client.post(
            f"/v1/abuse/reviews/{first}/confirm",
            json={"note": "刷屏", "block_hours": 24},
            headers=lead.headers,
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["complaint"]["status"] == "closed"
        pending = (await api_client.get("/v1/abuse/reviews", headers=lead.headers)).json()["items"]
        assert pending == []
        [block] = (await api_client.get("/v1/abuse/blocks", headers=lead.headers)).json()["items"]
        assert block["active"] is True
        closed = (
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.id.in_(held), Complaint.status == "closed")
        )
        assert await count(sessionmaker, closed) == 25
