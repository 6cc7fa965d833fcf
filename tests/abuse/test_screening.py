"""Screening at the top of triage: floods, rate limits, meaningless text and blocked senders are held."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import AbuseReview, Complaint, Event, Message
from complaint_service.settings import AbuseConfig, MattersConfig, Settings
from tests.fixtures.seed import add_agents
from tests.fixtures.senders import submit, triage

HELD = "held for abuse review"
FLOOD_HANT = "你們的APP付款一直失敗，錢被扣了訂單卻沒有生成，馬上給我處理！"


def abuse(settings: Settings, **config: Any) -> Settings:
    return settings.model_copy(update={"abuse": AbuseConfig(**config)})


async def reviews(sessionmaker: async_sessionmaker[AsyncSession]) -> list[AbuseReview]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(AbuseReview).order_by(AbuseReview.id)))


async def complaint(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> Complaint:
    async with sessionmaker() as session:
        return await session.get_one(Complaint, complaint_id)


async def outbound_count(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.complaint_id == complaint_id, Message.direction == "outbound")
        )
        return count or 0


class TestScreen:
    async def test_a_flood_from_one_sender_is_held_beyond_the_threshold(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "finance", 2)
        ids = [await submit(api_client, intake_headers, FLOOD_HANT, sender=1) for _ in range(8)]
        results = [await triage(worker_ctx, i) for i in ids]

        assert HELD not in results[:5]
        assert results[5:] == [HELD] * 3
        held = await reviews(sessionmaker)
        assert [r.complaint_id for r in held] == ids[5:]
        assert all(r.status == "pending" and r.reasons == ["flood"] for r in held)
        assert [r.details["similar_in_window"] for r in held] == [6, 7, 8]
        for complaint_id in ids[5:]:
            row = await complaint(sessionmaker, complaint_id)
            assert (row.status, row.department, row.assignee_id) == ("triaged", None, None)
            assert row.flags == ["suspected_abuse"]
            assert row.triaged_at is not None  # the triage sweep leaves it alone
            assert await outbound_count(sessionmaker, complaint_id) == 0  # no acknowledgement

    async def test_a_held_complaint_is_not_triaged_again(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id = await submit(api_client, intake_headers, "？？？？！！！", sender=1)
        assert await triage(worker_ctx, complaint_id) == HELD
        assert await triage(worker_ctx, complaint_id) == "already triaged"

    async def test_the_same_text_from_many_customers_is_no_flood(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ids = [await submit(api_client, intake_headers, FLOOD_HANT, sender=n) for n in range(8)]
        results = [await triage(worker_ctx, i) for i in ids]
        assert results == ["triaged"] * 8
        assert await reviews(sessionmaker) == []

    async def test_many_different_complaints_from_one_sender_hit_the_rate_limit(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        texts = [
            "The parcel for order 1 arrived broken",
            "I was charged twice for my subscription",
            "Your courier was rude to my mother",
            "The app logs me out every few minutes",
        ]
        ids = [await submit(api_client, intake_headers, t, sender=1) for t in texts]
        limited = abuse(settings, max_complaints=3)
        results = [await triage(worker_ctx, i, settings=limited) for i in ids]
        assert HELD not in results[:3]
        assert results[3] == HELD
        [review] = await reviews(sessionmaker)
        assert review.reasons == ["rate_limit"]
        assert review.details["complaints_in_window"] == 4

    async def test_meaningless_content_is_held_even_when_agents_are_free(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "customer_service", 2)
        texts = [
            "。。。。。。",
            "😡😡😡😡😡",
            "啊啊啊啊啊啊啊",
            "哈哈哈哈",
            "asdfghjkl",
            "sdfsdfsdf jkljkl",
            "!!!???",
        ]
        ids = [await submit(api_client, intake_headers, t, sender=n) for n, t in enumerate(texts)]
        assert [await triage(worker_ctx, i) for i in ids] == [HELD] * len(texts)
        held = await reviews(sessionmaker)
        assert [r.reasons for r in held] == [["meaningless"]] * len(texts)
        for complaint_id in ids:
            row = await complaint(sessionmaker, complaint_id)
            assert (row.assignee_id, row.department, row.category) == (None, None, None)
            assert await outbound_count(sessionmaker, complaint_id) == 0

    async def test_a_short_real_complaint_and_a_screenshot_pass(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
    ) -> None:
        short = await submit(api_client, intake_headers, "退款", sender=1)
        screenshot = await submit(
            api_client,
            intake_headers,
            "。",
            sender=2,
            attachments=[
                {"name": "crash.png", "content_type": "image/png", "url": "https://cdn.example.com/1.png"}
            ],
        )
        assert await triage(worker_ctx, short) == "triaged"
        assert await triage(worker_ctx, screenshot) == "triaged"

    async def test_workers_triaging_a_flood_at_once_let_exactly_the_threshold_through(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        text = "Refund me NOW!!! You charged my card twice for order 88231"
        ids = [await submit(api_client, intake_headers, text, sender=1) for _ in range(12)]
        # Copies merging into one ticket is one ticket per matter's business, not this test's.
        apart = settings.model_copy(update={"matters": MattersConfig(window_hours=1e-6)})
        results = await asyncio.gather(*(triage(worker_ctx, i, settings=apart) for i in ids))
        assert results.count(HELD) == 7
        assert len(await reviews(sessionmaker)) == 7

    async def test_screening_can_be_switched_off(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        complaint_id = await submit(api_client, intake_headers, "。。。", sender=1)
        assert await triage(worker_ctx, complaint_id, settings=abuse(settings, enabled=False)) == "triaged"
        row = await complaint(sessionmaker, complaint_id)
        assert row.sender_key == f"customer:{row.customer_id}"  # still recorded, for incidents

    async def test_a_sender_without_any_identity_is_known_by_the_name_the_channel_gives(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        anonymous = {"customer": {"name": "路人甲"}, "channel": "live_chat"}
        ids = [await submit(api_client, intake_headers, FLOOD_HANT, sender=0, **anonymous) for _ in range(6)]
        results = [await triage(worker_ctx, i) for i in ids]
        assert results[5] == HELD
        rows = [await complaint(sessionmaker, i) for i in ids]
        assert {r.customer_id for r in rows} == {None}
        assert {r.sender_key for r in rows} == {"live_chat:路人甲"}


class TestHeldTimeline:
    async def test_the_hold_is_on_the_timeline_with_its_reasons(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id = await submit(api_client, intake_headers, "qwerty asdf", sender=1)
        await triage(worker_ctx, complaint_id)
        async with sessionmaker() as session:
            events = list(
                await session.scalars(
                    select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
                )
            )
        assert [e.type for e in events] == ["complaint.received", "abuse.held"]
        assert events[1].data["reasons"] == ["meaningless"]
        assert events[1].actor == "system:abuse"
