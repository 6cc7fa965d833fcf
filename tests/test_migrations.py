"""The schema exists only through Alembic: upgrade from empty, downgrade cleanly, upgrade again."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from complaint_service import migrate
from complaint_service.core.db import Base


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        functions = await conn.scalar(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'complaint_reference'")
        )
    await engine.dispose()
    return names | ({"fn:complaint_reference"} if functions else set())


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


class TestMigrations:
    async def test_upgrade_downgrade_upgrade(self, database_url: str) -> None:
        name = f"cs_mig_{uuid.uuid4().hex[:10]}"
        await _admin(database_url, f'CREATE DATABASE "{name}"')
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
        expected = {t.name for t in Base.metadata.sorted_tables} | {
            "alembic_version",
            "config_generation",  # written by triggers only, read by core.config_cache
            "fn:complaint_reference",
        }
        try:
            await asyncio.to_thread(migrate.upgrade, url)
            assert await _tables(url) == expected
            await asyncio.to_thread(migrate.downgrade, url)
            assert await _tables(url) == {"alembic_version"}
            await asyncio.to_thread(migrate.upgrade, url)
            assert await _tables(url) == expected
        finally:
            await _admin(database_url, f'DROP DATABASE "{name}" WITH (FORCE)')
