"""Reviewers' decisions: confirm blocks and closes as abuse, release resumes triage, lift ends a block."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.abuse import service as abuse_service
from complaint_service.core.clock import utcnow
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.models import AbuseReview, Complaint, Event, Message, SenderBlock
from tests.fixtures.seed import add_agents
from tests.fixtures.senders import submit, triage

HELD = "held for abuse review"
FLOOD = "退款！！！马上退款！！！不退就天天投诉你们"
REVIEWER = "user:0193a5c2-6000-7000-8000-00000000a001"


async def flood(
    client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any], *, sender: int, copies: int = 7
) -> list[uuid.UUID]:
    """`copies` near-identical complaints from one sender, triaged; returns the held ones."""
    ids = [await submit(client, headers, FLOOD, sender=sender) for _ in range(copies)]
    return [i for i in ids if await triage(ctx, i) == HELD]


async def decide(sessionmaker: async_sessionmaker[AsyncSession], action: Any, **kwargs: Any) -> Any:
    async with sessionmaker() as session, session.begin():
        return await action(session, actor=REVIEWER, **kwargs)


async def load(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> Complaint:
    async with sessionmaker() as session:
        return await session.get_one(Complaint, complaint_id)


async def event_types(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> list[str]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(Event.type).where(Event.complaint_id == complaint_id).order_by(Event.id)
            )
        )


class TestConfirm:
    async def test_blocks_the_sender_and_closes_every_held_complaint_of_theirs_as_abuse(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        held = await flood(api_client, intake_headers, worker_ctx, sender=1)
        other = await flood(api_client, intake_headers, worker_ctx, sender=2, copies=6)
        assert (len(held), len(other)) == (2, 1)

        review = await decide(sessionmaker, abuse_service.confirm, complaint_id=held[0], note="刷屏")

        assert review.status == "confirmed"
        async with sessionmaker() as session:
            block = await session.get_one(SenderBlock, review.block_id)
            reviews = list(await session.scalars(select(AbuseReview).order_by(AbuseReview.id)))
        assert block.sender_key == review.sender_key
        assert block.expires_at - utcnow() > timedelta(days=6, hours=23)  # the configured 7 days
        assert [(r.status, r.block_id) for r in reviews] == [("confirmed", block.id)] * 2 + [
            ("pending", None)
        ]
        for complaint_id in held:
            row = await load(sessionmaker, complaint_id)
            assert (row.status, row.resolution_code) == ("closed", "abuse")
            assert "suspected_abuse" in row.flags  # nothing is erased
            types = await event_types(sessionmaker, complaint_id)
            assert types[-2:] == ["abuse.confirmed", "complaint.status_changed"]

    async def test_later_complaints_of_a_blocked_sender_are_recorded_and_closed_without_agents(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "finance", 2)
        [first, *_] = await flood(api_client, intake_headers, worker_ctx, sender=1, copies=6)
        review = await decide(sessionmaker, abuse_service.confirm, complaint_id=first, block_hours=2)

        later = await submit(api_client, intake_headers, "我的订单支付失败了，钱扣了", sender=1)
        assert await triage(worker_ctx, later) == HELD

        row = await load(sessionmaker, later)
        assert (row.status, row.resolution_code, row.assignee_id) == ("closed", "abuse", None)
        async with sessionmaker() as session:
            record = await session.scalar(select(AbuseReview).where(AbuseReview.complaint_id == later))
            sent = await session.scalar(
                select(Message.id).where(Message.complaint_id == later, Message.direction == "outbound")
            )
        assert record is not None
        assert (record.status, record.reasons, record.block_id) == (
            "confirmed",
            ["blocked_sender"],
            review.block_id,
        )
        assert sent is None

    async def test_a_decided_review_cannot_be_decided_again(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        [held] = await flood(api_client, intake_headers, worker_ctx, sender=1, copies=6)
        await decide(sessionmaker, abuse_service.release, complaint_id=held)
        with pytest.raises(Conflict):
            await decide(sessionmaker, abuse_service.confirm, complaint_id=held)
        with pytest.raises(NotFound):
            await decide(sessionmaker, abuse_service.confirm, complaint_id=uuid.uuid4())

    async def test_an_anonymous_sender_cannot_be_blocked_but_the_complaint_is_closed(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id = await submit(api_client, intake_headers, "。。。", sender=0, customer={})
        assert await triage(worker_ctx, complaint_id) == HELD
        review = await decide(sessionmaker, abuse_service.confirm, complaint_id=complaint_id)
        assert (review.sender_key, review.block_id) == (None, None)
        assert (await load(sessionmaker, complaint_id)).status == "closed"


class TestRelease:
    async def test_release_clears_the_flag_and_triage_routes_acknowledges_and_assigns_it(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "customer_service", 1)
        held = await submit(api_client, intake_headers, "？？？", sender=1)
        assert await triage(worker_ctx, held) == HELD

        review = await decide(sessionmaker, abuse_service.release, complaint_id=held, note="客户电话确认")
        assert review.status == "released"
        row = await load(sessionmaker, held)
        assert (row.flags, row.triaged_at) == ([], None)  # the triage sweep would pick it up too

        assert await triage(worker_ctx, held) == "triaged"  # never held again, though still meaningless
        row = await load(sessionmaker, held)
        assert (row.status, row.department) == ("assigned", "customer_service")
        assert row.assignee_id is not None
        types = await event_types(sessionmaker, held)
        assert types[:3] == ["complaint.received", "abuse.held", "abuse.released"]
        assert {"complaint.triaged", "message.sent", "complaint.assigned"} <= set(types)


class TestLift:
    async def test_a_lifted_block_stops_closing_the_senders_complaints(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        [first, *_] = await flood(api_client, intake_headers, worker_ctx, sender=1, copies=6)
        review = await decide(sessionmaker, abuse_service.confirm, complaint_id=first)
        block = await decide(sessionmaker, abuse_service.lift, block_id=review.block_id)
        assert block.lifted_by == REVIEWER

        later = await submit(
            api_client, intake_headers, "The parcel arrived broken, I want a refund", sender=1
        )
        assert await triage(worker_ctx, later) == "triaged"
        with pytest.raises(Conflict):
            await decide(sessionmaker, abuse_service.lift, block_id=review.block_id)
        with pytest.raises(NotFound):
            await decide(sessionmaker, abuse_service.lift, block_id=uuid.uuid4())
