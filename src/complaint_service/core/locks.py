"""Transaction-scoped PostgreSQL advisory locks, for serialising work on things that have no row."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def lock(session: AsyncSession, *parts: str) -> None:
    """Wait for the lock named by `parts` (e.g. "abuse.sender", key); held until commit or rollback.

    The name is hashed to 64 bits by PostgreSQL itself, so every process agrees on the lock id.
    """
    name = ":".join(parts)
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))
