"""update_locked: many locked rows' changes in one UPDATE per set of changed columns, the rows left clean."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.db import update_locked
from complaint_service.models import Complaint
from tests.fixtures.builders import post_canonical
from tests.fixtures.statements import counted


async def _new(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> uuid.UUID:
    response = await post_canonical(client, headers, external_id=f"locked-{uuid.uuid4().hex[:8]}-{n}")
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def test_changes_of_many_rows_are_written_per_set_of_columns_and_versions_move(
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = sorted([await _new(api_client, intake_headers, n) for n in range(3)])
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    async with sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id).with_for_update()
            )
        )
        versions = [row.version for row in rows]
        rows[0].status, rows[0].category = "triaged", "privacy"
        rows[1].status, rows[1].category = "triaged", "suggestion"
        rows[2].department = "legal_compliance"  # another set of columns: a statement of its own
        with counted(await session.connection()) as statements:
            await update_locked(session, rows, now=now)
            assert len(statements) == 2, statements
            # Nothing is left for the ORM to write at commit.
            assert not any(session.is_modified(row) for row in rows)
            await session.commit()
            assert len(statements) == 2, statements
        assert [row.version for row in rows] == [v + 1 for v in versions]

    async with sessionmaker() as session:
        stored = list(
            await session.scalars(select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id))
        )
    assert [(c.status, c.category, c.department) for c in stored] == [
        ("triaged", "privacy", None),
        ("triaged", "suggestion", None),
        ("new", None, "legal_compliance"),
    ]
    assert [c.version for c in stored] == [v + 1 for v in versions]
    assert {c.updated_at for c in stored} == {now}


async def test_rows_without_changes_are_not_written(
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    complaint_id = await _new(api_client, intake_headers, 0)
    async with sessionmaker() as session:
        row = await session.get(Complaint, complaint_id, with_for_update=True)
        assert row is not None
        version, updated_at = row.version, row.updated_at
        await update_locked(session, [row], now=datetime(2026, 12, 6, tzinfo=UTC))
        await session.commit()
    async with sessionmaker() as session:
        stored = await session.get(Complaint, complaint_id)
    assert stored is not None
    assert (stored.version, stored.updated_at) == (version, updated_at)
