"""Declarative base, engine and session factories, and the request-scoped session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from complaint_service.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: DateTime(timezone=True)}


def table_of(model: type[Base]) -> Table:
    """The model's Core table: bulk writes of complete rows skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def create_engine(settings: Settings, database_url: str) -> AsyncEngine:
    """Pool sized from settings; a statement timeout so a stuck query cannot hold a worker forever.

    No pre-ping: asyncpg's costs three round trips (BEGIN, a query, ROLLBACK) on every checkout,
    more than intake's own statement. A connection that died with its server fails its first
    statement instead; SQLAlchemy then discards the whole pool, and that one request is answered
    503 with Retry-After (a job is retried), as while the database is down.
    """
    return create_async_engine(
        database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "complaint-service",
            },
            "timeout": 5,
        },
    )


def create_sessionmaker(engine: AsyncEngine, **info: Any) -> async_sessionmaker[AsyncSession]:
    """`info` (settings, the arq pool, the HTTP client) is copied into every session, where services
    and `enqueue_after_commit` find it; a session's own caches stay its own."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit before the response is sent (used with scope="function"), so a 2xx means committed."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
