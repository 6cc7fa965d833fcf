"""Folding the customer a concurrent intake lost into the winner: all of it moves, in one statement."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.customers.service import fold_into
from complaint_service.models import Complaint, Customer, CustomerIdentity
from tests.fixtures.builders import post_canonical
from tests.fixtures.statements import counted


async def _customer_of(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> uuid.UUID:
    async with sessionmaker() as session:
        customer_id = (await session.get_one(Complaint, uuid.UUID(complaint_id))).customer_id
    assert customer_id is not None
    return customer_id


async def test_the_losers_complaints_and_identities_move_and_its_row_goes_in_one_statement(
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    winning = await post_canonical(api_client, intake_headers, customer={"phone": "+86 139 0000 3333"})
    losing = await post_canonical(api_client, intake_headers, customer={"email": "li.lei@example.cn"})
    winner = await _customer_of(sessionmaker, winning.json()["id"])
    loser = await _customer_of(sessionmaker, losing.json()["id"])

    async with sessionmaker() as session:
        # As at intake: an autocommit connection, where separate statements would commit one by one.
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        with counted(connection) as statements:
            await fold_into(session, loser=loser, winner=winner)

    assert len(statements) == 1
    async with sessionmaker() as session:
        assert await session.get(Customer, loser) is None
        owners = (await session.scalars(select(Complaint.customer_id).order_by(Complaint.id))).all()
        assert owners == [winner, winner]
        kinds = (
            await session.scalars(
                select(CustomerIdentity.kind)
                .where(CustomerIdentity.customer_id == winner)
                .order_by(CustomerIdentity.kind)
            )
        ).all()
        assert kinds == ["email", "phone"]
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1
