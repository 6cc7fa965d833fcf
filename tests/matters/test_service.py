"""The triage hooks: joining the customer's open ticket about the same matter, and spotting repeats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import ComplaintLink
from tests.fixtures.seed import add_agents
from tests.fixtures.senders import triage
from tests.matters.helpers import PHONE, event, event_types, load, messages, set_fields, submit

ORDER = "LG202611210127"
FRYER = f"我在商城买的空气炸锅，订单{ORDER}，付款三天了还没发货，客服也一直不回复，请尽快给我发货。"
FRYER_CALL = f"你好，我上周买的空气炸锅付款三天了还没发货。订单号是{ORDER}，麻烦帮我催一下。"
FRYER_HANT = "你好，我買的空氣炸鍋付款三天了還沒有發貨，微信和電話都反映過了，請盡快處理。"
HACKED = "我的账号昨天被人盗了，有人用我的账号下单，请帮我冻结账号。"
PARCEL = "快递已经五天没有更新物流信息了，包裹一直停在转运中心，请帮我查一下。"
PARCEL_AGAIN = "上次说帮我查快递，现在包裹还是停在转运中心，物流信息五天没有更新了。"
MERGED = "merged into an open complaint of the customer"


class TestAttachToOpenMatter:
    async def test_the_same_order_on_the_phone_joins_the_open_wechat_ticket_as_a_customer_message(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id = await submit(api_client, intake_headers, body=FRYER, order_id=ORDER)
        assert await triage(worker_ctx, ticket_id) == "triaged"
        await set_fields(sessionmaker, ticket_id, status="pending_customer")
        call_id = await submit(
            api_client, intake_headers, channel="phone_transcript", body=FRYER_CALL, customer={"phone": PHONE}
        )

        assert await triage(worker_ctx, call_id) == MERGED

        call, ticket = await load(sessionmaker, call_id), await load(sessionmaker, ticket_id)
        assert call.merged_into_id == ticket_id
        assert (call.status, call.resolution_code) == ("closed", "merged")
        assert (call.assignee_id, call.department, call.category) == (None, None, None)
        assert await messages(sessionmaker, call_id) == []
        inbound = [m.channel for m in await messages(sessionmaker, ticket_id) if m.direction == "inbound"]
        assert inbound == ["wechat", "phone_transcript"]
        # A customer message on a ticket waiting for the customer puts it back to work.
        assert ticket.status == "in_progress"
        assert ticket.last_customer_message_at is not None
        call_events = await event_types(sessionmaker, call_id)
        assert "complaint.merged" in call_events
        assert not {"complaint.triaged", "complaint.assigned", "sla.started", "message.sent"} & set(
            call_events
        )
        assert {"complaint.merged_in", "message.received"} <= set(await event_types(sessionmaker, ticket_id))
        merged = await event(sessionmaker, ticket_id, "complaint.merged_in")
        assert (merged["reason"], merged["source_id"], merged["automatic"]) == (
            "order_id",
            str(call_id),
            True,
        )

    async def test_similar_text_in_traditional_chinese_joins_without_an_order_id(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id = await submit(api_client, intake_headers, body=FRYER)
        await triage(worker_ctx, ticket_id)
        mail_id = await submit(api_client, intake_headers, channel="email", body=FRYER_HANT)

        assert await triage(worker_ctx, mail_id) == MERGED

        assert (await load(sessionmaker, mail_id)).merged_into_id == ticket_id
        merged = await event(sessionmaker, mail_id, "complaint.merged")
        assert merged["reason"] == "similar_text"
        assert merged["score"] >= 0.5

    @pytest.mark.parametrize(
        ("second", "why"),
        [
            ({"body": HACKED}, "another matter"),
            ({"body": FRYER, "order_id": "LG202611180044"}, "another order"),
            ({"body": FRYER, "customer": {"phone": "13700001111"}}, "another customer"),
        ],
        ids=["other-matter", "other-order", "other-customer"],
    )
    async def test_otherwise_a_second_ticket_opens(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        second: dict[str, Any],
        why: str,
    ) -> None:
        ticket_id = await submit(api_client, intake_headers, body=FRYER, order_id=ORDER)
        await triage(worker_ctx, ticket_id)
        other_id = await submit(api_client, intake_headers, **second)

        assert await triage(worker_ctx, other_id) == "triaged", why
        other = await load(sessionmaker, other_id)
        assert (other.merged_into_id, other.status) == (None, "triaged")
        assert len(await messages(sessionmaker, other_id)) >= 1

    async def test_tickets_received_before_the_window_or_closed_are_left_alone(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        old_id = await submit(api_client, intake_headers, body=FRYER, order_id=ORDER)
        await triage(worker_ctx, old_id)
        await set_fields(sessionmaker, old_id, received_at=utcnow() - timedelta(hours=73))
        closed_id = await submit(api_client, intake_headers, body=FRYER, order_id=ORDER)
        await triage(worker_ctx, closed_id)
        await set_fields(sessionmaker, closed_id, status="closed", closed_at=utcnow())
        new_id = await submit(api_client, intake_headers, body=FRYER_CALL, order_id=ORDER)

        assert await triage(worker_ctx, new_id) == "triaged"


class TestRepeat:
    async def _resolved(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        ctx: dict[str, Any],
        *,
        days_ago: float = 3,
        **fields: Any,
    ) -> Any:
        earlier_id = await submit(client, headers, body=PARCEL)
        await triage(ctx, earlier_id)
        values = {"department": "customer_service", "resolution_code": "solved"} | fields
        await set_fields(
            sessionmaker,
            earlier_id,
            status="resolved",
            resolved_at=utcnow() - timedelta(days=days_ago),
            assignee_id=None,
            **values,
        )
        return earlier_id

    async def test_a_repeat_is_linked_flagged_raised_and_routed_back_to_its_department(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        agent, supervisor = [
            *await add_agents(sessionmaker, "customer_service", 1),
            *await add_agents(sessionmaker, "customer_service", 1, role="supervisor"),
        ]
        earlier_id = await self._resolved(api_client, intake_headers, sessionmaker, worker_ctx)
        plain_id = await submit(
            api_client, intake_headers, body=PARCEL_AGAIN, customer={"phone": "13700001111"}
        )
        await triage(worker_ctx, plain_id)
        plain = await load(sessionmaker, plain_id)
        again_id = await submit(api_client, intake_headers, channel="phone_transcript", body=PARCEL_AGAIN)

        assert await triage(worker_ctx, again_id) == "triaged"

        again = await load(sessionmaker, again_id)
        assert again.repeat_of_id == earlier_id
        assert "repeat" in again.flags
        # One level above what the same words earn from another customer, in the earlier department.
        assert (plain.urgency, again.urgency) == ("P3", "P2")
        assert (plain.department, again.department) == ("logistics", "customer_service")
        assert (again.escalation_level, again.assignee_id) == (0, agent.id)
        assert again.assignee_id != supervisor.id
        async with sessionmaker() as session:
            link = await session.scalar(select(ComplaintLink))
        assert link is not None
        assert (link.complaint_id, link.related_id, link.kind) == (again_id, earlier_id, "repeat_of")
        detected = await event(sessionmaker, again_id, "complaint.repeat_detected")
        assert detected["urgency"] == {"from": "P3", "to": "P2"}
        assert detected["repeat_of_id"] == str(earlier_id)
        assert "complaint.repeated" in await event_types(sessionmaker, earlier_id)
        routed = await event(sessionmaker, again_id, "complaint.routed")
        assert routed["department"] == "customer_service"

    async def test_a_repeat_of_a_repeat_goes_one_level_higher_to_a_senior(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "customer_service", 1)
        [supervisor] = await add_agents(sessionmaker, "customer_service", 1, role="supervisor")
        first_id = await self._resolved(api_client, intake_headers, sessionmaker, worker_ctx, days_ago=20)
        second_id = await self._resolved(
            api_client, intake_headers, sessionmaker, worker_ctx, repeat_of_id=first_id, escalation_level=0
        )
        third_id = await submit(api_client, intake_headers, channel="email", body=PARCEL_AGAIN)

        await triage(worker_ctx, third_id)

        third = await load(sessionmaker, third_id)
        assert third.repeat_of_id == second_id
        assert third.escalation_level == 1
        assert third.assignee_id == supervisor.id

    @pytest.mark.parametrize(
        "earlier", [{"days_ago": 31}, {"resolution_code": "abuse"}], ids=["too-long-ago", "closed-as-abuse"]
    )
    async def test_no_repeat_after_the_window_or_of_abuse(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        earlier: dict[str, Any],
    ) -> None:
        await self._resolved(api_client, intake_headers, sessionmaker, worker_ctx, **earlier)
        again_id = await submit(api_client, intake_headers, body=PARCEL_AGAIN)

        await triage(worker_ctx, again_id)

        again = await load(sessionmaker, again_id)
        assert (again.repeat_of_id, again.urgency, again.department) == (None, "P3", "logistics")
        assert "repeat" not in again.flags
