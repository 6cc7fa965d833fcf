"""Creating deliveries: customer messages by channel, subscriber events, the mail-loop guard."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Event
from complaint_service.outbound import service as outbound_service
from tests.fixtures.app import MakeKey
from tests.outbound.helpers import (
    create_complaint,
    create_endpoint,
    deliveries,
    flag_complaint,
    outbound_messages,
    send,
)

Sessions = async_sessionmaker[AsyncSession]
HOOK = "http://127.0.0.1:9/hooks"


async def _event_types(sessionmaker: Sessions, complaint_id: uuid.UUID) -> list[str]:
    async with sessionmaker() as session:
        query = select(Event.type).where(Event.complaint_id == complaint_id).order_by(Event.id)
        return list((await session.scalars(query)).all())


class TestSendToCustomer:
    async def test_message_timeline_and_one_delivery_per_channel_adapter(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
    ) -> None:
        wechat = await create_endpoint(api_client, admin_headers, url=HOOK)
        await create_endpoint(api_client, admin_headers, url=HOOK, name="Weibo adapter", channels=["weibo"])
        subscriber = await create_endpoint(
            api_client, admin_headers, url=HOOK, name="CRM", channels=[], event_types=["message.sent"]
        )
        complaint_id = await create_complaint(api_client, make_key)

        message = await send(sessionmaker, complaint_id, body="您好，退款已原路退回，请注意查收。")

        assert message is not None
        assert message.direction == "outbound"
        assert message.visibility == "public"
        assert message.channel == "wechat"
        assert message.author == "agent:li.na"
        assert message.flags == []
        assert "message.sent" in await _event_types(sessionmaker, complaint_id)
        by_type = {d.event_type: d for d in await deliveries(sessionmaker)}
        assert set(by_type) == {"message.outbound", "message.sent"}
        outbound = by_type["message.outbound"]
        assert outbound.endpoint_id == uuid.UUID(wechat["id"])
        assert outbound.message_id == message.id
        assert outbound.status == "pending"
        assert outbound.attempts == 0
        assert outbound.next_attempt_at is not None
        assert outbound.payload["data"]["body"] == "您好，退款已原路退回，请注意查收。"
        assert outbound.payload["data"]["reference"].startswith("C")
        assert outbound.payload["id"] == str(outbound.id)
        event = by_type["message.sent"]
        assert event.endpoint_id == uuid.UUID(subscriber["id"])
        assert event.payload["data"] == {
            "message_id": str(message.id),
            "kind": "acknowledgement",
            "channel": "wechat",
            "reference": outbound.payload["data"]["reference"],
            "automatic": False,
        }

    async def test_automatic_reply_to_auto_generated_mail_is_dropped(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=HOOK, channels=["email"], event_types=["*"])
        complaint_id = await create_complaint(api_client, make_key, channel="email")
        await flag_complaint(sessionmaker, complaint_id, "auto_generated", "no_auto_reply")

        assert await send(sessionmaker, complaint_id, automatic=True) is None

        assert await outbound_messages(sessionmaker, complaint_id) == []
        assert await deliveries(sessionmaker) == []
        assert "message.sent" not in await _event_types(sessionmaker, complaint_id)

    async def test_a_person_may_still_answer_a_no_auto_reply_complaint(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=HOOK, channels=["email"])
        complaint_id = await create_complaint(api_client, make_key, channel="email")
        await flag_complaint(sessionmaker, complaint_id, "no_auto_reply")

        message = await send(sessionmaker, complaint_id, body="Dear customer, your refund has been issued.")

        assert message is not None
        assert [d.event_type for d in await deliveries(sessionmaker)] == ["message.outbound"]


class TestPublish:
    async def test_only_enabled_subscribers_of_the_type_or_star(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        make_key: MakeKey,
        sessionmaker: Sessions,
    ) -> None:
        resolved = await create_endpoint(
            api_client, admin_headers, url=HOOK, channels=[], event_types=["complaint.resolved"]
        )
        everything = await create_endpoint(
            api_client, admin_headers, url=HOOK, channels=[], event_types=["*"]
        )
        await create_endpoint(api_client, admin_headers, url=HOOK, channels=[], event_types=["sla.breached"])
        disabled = await create_endpoint(api_client, admin_headers, url=HOOK, channels=[], event_types=["*"])
        await api_client.patch(
            f"/v1/webhooks/endpoints/{disabled['id']}", json={"enabled": False}, headers=admin_headers
        )
        complaint_id = await create_complaint(api_client, make_key)

        async with sessionmaker() as session, session.begin():
            created = await outbound_service.publish(
                session,
                complaint_id=complaint_id,
                event_type="complaint.resolved",
                data={"resolution": "已退款"},
            )

        rows = await deliveries(sessionmaker)
        assert created == 2
        assert {d.endpoint_id for d in rows} == {uuid.UUID(resolved["id"]), uuid.UUID(everything["id"])}
        assert all(d.message_id is None and d.complaint_id == complaint_id for d in rows)
        assert rows[0].payload["type"] == "complaint.resolved"
        assert rows[0].payload["complaint_id"] == str(complaint_id)
        assert rows[0].payload["data"] == {"resolution": "已退款"}

    async def test_nobody_subscribed(self, sessionmaker: Sessions) -> None:
        async with sessionmaker() as session, session.begin():
            created = await outbound_service.publish(
                session, complaint_id=None, event_type="sla.warning", data={}
            )
        assert created == 0
