"""Declarative base, engine and session factories, and the request-scoped session."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Table, bindparam, inspect, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import sqltypes

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


async def copy_rows(session: AsyncSession, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert complete rows (same keys, database values) with COPY, in the session's transaction.

    For the largest writes of a triage batch (18 SLA actions per complaint): PostgreSQL takes the rows
    as one stream instead of running an INSERT per row, which halves its time for them. JSON columns
    are encoded here, as SQLAlchemy's JSON type would; no Python-side column defaults are applied.
    """
    if not rows:
        return
    table = table_of(model)
    columns = list(rows[0])
    encoded = {c for c in columns if isinstance(table.c[c].type, sqltypes.JSON)}
    records = [tuple(json.dumps(row[c]) if c in encoded else row[c] for c in columns) for row in rows]
    raw = (await (await session.connection()).get_raw_connection()).driver_connection
    assert raw is not None  # a live connection of the session's transaction
    await raw.copy_records_to_table(table.name, columns=columns, records=records)


async def update_locked(session: AsyncSession, rows: Sequence[Base], *, now: datetime) -> None:
    """Write the changed columns of many rows of one versioned model (keyed by `id`, with an `updated_at`
    column) with one executemany UPDATE per set of changed columns, and leave them clean.

    The ORM writes each row of a versioned model with a statement of its own (it checks every row count):
    one round trip per complaint of a triage batch. The caller holds the rows' locks (FOR UPDATE) until
    commit, so no version can move underneath; the version is still moved, and `updated_at` set to `now`.
    """
    groups: dict[tuple[str, ...], list[Any]] = {}
    for row in rows:
        state = inspect(row)
        mapper = state.mapper
        columns = mapper.column_attrs
        changed = tuple(sorted(key for key in state.committed_state if key in columns))
        if changed:
            groups.setdefault(changed, []).append(row)
    for changed, members in groups.items():
        mapper = inspect(members[0]).mapper
        table, version = cast(Table, mapper.local_table), mapper.version_id_col
        assert version is not None, "update_locked writes versioned models"
        names = {key: mapper.column_attrs[key].columns[0].name for key in changed}
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({names[key]: bindparam(f"new_{key}") for key in changed})
            .values({version.name: table.c[version.name] + 1, "updated_at": now})
        )
        params = [{"row_id": m.id, **{f"new_{key}": getattr(m, key) for key in changed}} for m in members]
        await session.execute(statement, params)
        version_key = mapper.get_property_by_column(version).key
        for member in members:
            for key in changed:
                set_committed_value(member, key, getattr(member, key))
            set_committed_value(member, version_key, getattr(member, version_key) + 1)
            set_committed_value(member, "updated_at", now)


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
