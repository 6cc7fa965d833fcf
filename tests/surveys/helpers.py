"""Complaints worked to resolution through the API, and the survey links their customers receive."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Agent, WebhookDelivery
from tests.fixtures.people import Person
from tests.fixtures.seed import add_agents

CHANNEL = "app_feedback"  # the channel of `triaged` complaints
LINK = re.compile(r"(https?://\S+/v1/surveys/(sv_[A-Za-z0-9_-]+))")


async def channel_adapter(client: httpx.AsyncClient, admin_headers: dict[str, str], *, url: str) -> None:
    """The adapter that carries messages to customers of `triaged` complaints (its URL: a receiver)."""
    spec = {"name": "App feedback adapter", "url": url, "channels": [CHANNEL], "event_types": ["*"]}
    response = await client.post("/v1/webhooks/endpoints", json=spec, headers=admin_headers)
    assert response.status_code == 201, response.text


async def resolve(
    client: httpx.AsyncClient,
    complaint: dict[str, Any],
    agent: Person,
    *,
    code: str = "solved",
    summary: str = "已核实并处理完毕。",
) -> dict[str, Any]:
    """The agent claims the complaint and resolves it, as in the workspace."""
    base = f"/v1/complaints/{complaint['id']}"
    claimed = await client.post(f"{base}/claim", json={}, headers=agent.headers)
    assert claimed.status_code == 200, claimed.text
    resolved = await client.post(
        f"{base}/resolve", json={"code": code, "summary": summary}, headers=agent.headers
    )
    assert resolved.status_code == 200, resolved.text
    body: dict[str, Any] = resolved.json()
    return body


async def survey_links(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str
) -> list[tuple[str, str]]:
    """(link, token) of each survey sent for the complaint, oldest first, as its channel adapter got them."""
    async with sessionmaker() as session:
        payloads = (
            await session.scalars(
                select(WebhookDelivery.payload)
                .where(
                    WebhookDelivery.complaint_id == uuid.UUID(complaint_id),
                    WebhookDelivery.event_type == "message.outbound",
                )
                .order_by(WebhookDelivery.id)
            )
        ).all()
    found = [LINK.search(p["data"]["body"]) for p in payloads if p["data"]["kind"] == "survey"]
    return [(m.group(1), m.group(2)) for m in found if m]


async def survey_token(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> str:
    links = await survey_links(sessionmaker, complaint_id)
    assert links, "no survey was sent"
    return links[-1][1]


async def on_duty_supervisor(sessionmaker: async_sessionmaker[AsyncSession], department: str) -> Agent:
    [supervisor] = await add_agents(sessionmaker, department, 1, role="supervisor")
    return supervisor
