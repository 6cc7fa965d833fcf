"""Complaints already routed to a department, and asking another department about them over the API."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Event
from tests.fixtures.builders import post_canonical

MakeComplaint = Callable[..., Awaitable[uuid.UUID]]
Sessions = async_sessionmaker[AsyncSession]
QUESTION = "客户反馈 5.2.1 版本打开订单页闪退，请确认是否已知问题？"


@pytest.fixture
def make_complaint(
    api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
) -> MakeComplaint:
    """Taken in over intake, then placed as triage would have left it (no workers needed)."""

    async def make(department: str = "customer_service", urgency: str = "P3", **payload: Any) -> uuid.UUID:
        response = await post_canonical(
            api_client, intake_headers, external_id=f"collab-{uuid.uuid4().hex[:12]}", **payload
        )
        assert response.status_code == 201, response.text
        complaint_id = uuid.UUID(response.json()["id"])
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Complaint)
                .where(Complaint.id == complaint_id)
                .values(status="assigned", department=department, urgency=urgency, category="product_defect")
            )
        return complaint_id

    return make


async def ask(
    client: httpx.AsyncClient, headers: dict[str, str], complaint_id: uuid.UUID, **body: Any
) -> httpx.Response:
    spec = {"to_department": "tech", "question": QUESTION, **body}
    return await client.post(f"/v1/complaints/{complaint_id}/collaborations", json=spec, headers=headers)


async def asked(
    client: httpx.AsyncClient, headers: dict[str, str], complaint_id: uuid.UUID, **body: Any
) -> dict[str, Any]:
    response = await ask(client, headers, complaint_id, **body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert response.headers["ETag"] == f'"{created["version"]}"'
    return created


async def events_of(
    sessionmaker: Sessions, complaint_id: uuid.UUID, prefix: str = "collaboration."
) -> list[Event]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Event)
            .where(Event.complaint_id == complaint_id, Event.type.startswith(prefix))
            .order_by(Event.id)
        )
        return list(rows)
