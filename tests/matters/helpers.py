"""Builders for one-ticket-per-matter tests: complaints of one customer, triage, and what became of them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Event, Message
from tests.fixtures import senders

PHONE = "13912345678"
CUSTOMER = {"name": "李雷", "phone": PHONE, "wechat_openid": "oWx_li_lei_001"}


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], *, body: str, **fields: Any
) -> uuid.UUID:
    """A complaint of the same customer (phone and openid) on WeChat unless `fields` say otherwise."""
    return await senders.submit(
        client, headers, body, sender=0, **({"channel": "wechat", "customer": CUSTOMER} | fields)
    )


async def load(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> Complaint:
    async with sessionmaker() as session:
        complaint = await session.get(Complaint, complaint_id)
    assert complaint is not None
    return complaint


async def set_fields(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID, **values: Any
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Complaint).where(Complaint.id == complaint_id).values(**values))


async def event_types(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Event.type).where(Event.complaint_id == complaint_id).order_by(Event.id)
        )
        return list(rows)


async def event(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID, type_: str
) -> dict[str, Any]:
    async with sessionmaker() as session:
        found = await session.scalar(
            select(Event).where(Event.complaint_id == complaint_id, Event.type == type_).order_by(Event.id)
        )
    assert found is not None, f"no {type_} event"
    return found.data


async def messages(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID) -> list[Message]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Message).where(Message.complaint_id == complaint_id).order_by(Message.id)
        )
        return list(rows)
