"""Builders for webhook tests: endpoints over the admin API, complaints over intake, sends, deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Message, WebhookDelivery
from complaint_service.outbound import service as outbound_service
from complaint_service.settings import OutboundConfig, Settings
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import post_canonical

ACK_BODY = "您好，您的投诉已收到，我们会在 24 小时内给您答复。"


async def create_endpoint(
    client: httpx.AsyncClient, headers: dict[str, str], *, url: str, **fields: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": "WeChat adapter", "url": url, "channels": ["wechat"], **fields}
    response = await client.post("/v1/webhooks/endpoints", json=spec, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_complaint(
    client: httpx.AsyncClient, make_key: MakeKey, *, channel: str = "wechat", **fields: Any
) -> uuid.UUID:
    response = await post_canonical(
        client,
        await make_key("intake:*", name="adapter"),
        channel=channel,
        external_id=f"wx-{uuid.uuid4().hex[:16]}",
        body="订单202611220001支付失败，钱扣了但订单没生成，请尽快处理！",
        **fields,
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def flag_complaint(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID, *flags: str
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Complaint).where(Complaint.id == complaint_id).values(flags=list(flags)))


async def send(
    sessionmaker: async_sessionmaker[AsyncSession],
    complaint_id: uuid.UUID,
    *,
    body: str = ACK_BODY,
    automatic: bool = False,
    info: dict[str, Any] | None = None,
) -> Message | None:
    """`send_to_customer` in its own committed transaction; `info` binds e.g. Redis to the session."""
    async with sessionmaker() as session:
        session.info.update(info or {})
        async with session.begin():
            complaint = await session.get_one(Complaint, complaint_id)
            return await outbound_service.send_to_customer(
                session,
                complaint=complaint,
                body=body,
                kind="acknowledgement",
                author="agent:li.na",
                automatic=automatic,
            )


async def deliveries(sessionmaker: async_sessionmaker[AsyncSession]) -> Sequence[WebhookDelivery]:
    async with sessionmaker() as session:
        return (await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))).all()


async def outbound_messages(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID
) -> Sequence[Message]:
    async with sessionmaker() as session:
        query = select(Message).where(Message.complaint_id == complaint_id, Message.direction == "outbound")
        return (await session.scalars(query)).all()


def with_outbound(ctx: dict[str, Any], settings: Settings, **config: Any) -> dict[str, Any]:
    """A job context whose settings retry fast, so a test can walk through the retry schedule."""
    fast = settings.model_copy(update={"outbound": OutboundConfig(**config)})
    return {**ctx, "settings": fast}
