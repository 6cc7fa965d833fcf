"""Solution queries: newest-first pages, and candidates for a text ranked by shared n-grams."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Solution


@dataclass(frozen=True)
class SolutionFilter:
    category: str | None = None
    tag: str | None = None


def _conditions(f: SolutionFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.category is not None:
        conditions.append(Solution.category == f.category)
    if f.tag is not None:
        conditions.append(Solution.tags.contains([f.tag]))
    return conditions


async def list_page(
    session: AsyncSession, *, where: SolutionFilter, before: uuid.UUID | None, limit: int
) -> tuple[Sequence[Solution], uuid.UUID | None]:
    query = select(Solution).where(*_conditions(where))
    if before is not None:
        query = query.where(Solution.id < before)
    rows = (await session.scalars(query.order_by(Solution.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def candidates(
    session: AsyncSession, *, terms: Collection[str], where: SolutionFilter, limit: int
) -> list[tuple[Solution, int]]:
    """Solutions sharing at least one n-gram with `terms` (the GIN index), with how many, most first.

    Only these `limit` are scored exactly, so a query's cost stays flat however large the base grows.
    """
    if not terms:
        return []
    wanted = bindparam("terms", sorted(terms), type_=ARRAY(Text))
    term = func.unnest(Solution.terms).table_valued("term").render_derived()
    shared = (
        select(func.count())
        .select_from(term)
        .where(term.c.term == any_(wanted))
        .scalar_subquery()
        .label("shared")
    )
    query = (
        select(Solution, shared)
        .where(Solution.terms.overlap(wanted), *_conditions(where))
        .order_by(shared.desc(), Solution.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]
