"""Configuration copies: loaded once per generation, renewed by any committed change, never leaked."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import config_cache
from complaint_service.models import Department, SlaPolicy
from complaint_service.sla import service as sla_service


class Loads:
    """A loader that says how often it ran: the names of the departments."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, session: AsyncSession) -> list[str]:
        self.count += 1
        return list((await session.scalars(select(Department.name).order_by(Department.key))).all())


async def _read(sessionmaker: async_sessionmaker[AsyncSession], loads: Loads) -> list[str]:
    async with sessionmaker() as session:
        return await config_cache.cached(session, "test-departments", loads)


async def test_copies_are_reused_until_a_committed_change(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    loads = Loads()
    first = await _read(sessionmaker, loads)
    assert await _read(sessionmaker, loads) == first
    assert loads.count == 1

    async with sessionmaker() as session, session.begin():
        await session.execute(update(Department).where(Department.key == "tech").values(name="Tech support"))

    assert "Tech support" in await _read(sessionmaker, loads)
    assert loads.count == 2


async def test_an_uncommitted_change_is_seen_by_its_own_transaction_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    loads = Loads()
    before = await _read(sessionmaker, loads)
    async with sessionmaker() as session:
        await session.execute(update(Department).where(Department.key == "tech").values(name="Renamed"))
        config_cache.forget(session)
        assert "Renamed" in await config_cache.cached(session, "test-departments", loads)
        await session.rollback()

    assert await _read(sessionmaker, loads) == before
    assert loads.count == 2  # the rolled-back copy was private; the published one still serves


async def test_a_rollback_of_the_loading_unit_of_work_leaves_the_copies_usable(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        await session.execute(update(SlaPolicy).values(name=SlaPolicy.name))  # a new generation
        await session.commit()
    async with sessionmaker() as session:
        policies = await config_cache.cached(session, "sla_policies", sla_service._enabled_policies)
        await session.rollback()  # would expire every row still in the session
    assert policies
    assert all(p.name for p in policies)  # read after the rollback, without a session
