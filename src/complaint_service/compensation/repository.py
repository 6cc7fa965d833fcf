"""Compensation queries: a complaint's, a filtered page (the approval queue), and a customer's totals."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Compensation, Complaint
from complaint_service.models.enums import CompensationStatus

OPEN_STATUSES = (
    CompensationStatus.offered.value,
    CompensationStatus.pending_approval.value,
    CompensationStatus.approved.value,
)


async def for_complaint(session: AsyncSession, *, complaint_id: uuid.UUID) -> Sequence[Compensation]:
    return (
        await session.scalars(
            select(Compensation).where(Compensation.complaint_id == complaint_id).order_by(Compensation.id)
        )
    ).all()


async def list_page(
    session: AsyncSession,
    *,
    status: str | None,
    department: str | None,
    before: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[Compensation], uuid.UUID | None]:
    """Newest first; `department` is the complaint's."""
    query = select(Compensation)
    if status is not None:
        query = query.where(Compensation.status == status)
    if department is not None:
        query = query.where(
            Compensation.complaint_id.in_(select(Complaint.id).where(Complaint.department == department))
        )
    if before is not None:
        query = query.where(Compensation.id < before)
    rows = (await session.scalars(query.order_by(Compensation.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


@dataclass(frozen=True)
class Totals:
    granted: dict[str, Decimal]
    granted_points: int
    open: int


async def totals(
    session: AsyncSession, *, customer_id: uuid.UUID, visible_departments: Sequence[str] | None
) -> Totals:
    """Over the customer's complaints the caller may see."""
    complaints = select(Complaint.id).where(Complaint.customer_id == customer_id)
    if visible_departments is not None:
        complaints = complaints.where(Complaint.department.in_(visible_departments))
    mine = Compensation.complaint_id.in_(complaints)
    granted = Compensation.status == CompensationStatus.granted.value
    money = await session.execute(
        select(Compensation.currency, func.sum(Compensation.amount))
        .where(mine, granted, Compensation.currency.is_not(None))
        .group_by(Compensation.currency)
        .order_by(Compensation.currency)
    )
    points, open_count = (
        await session.execute(
            select(
                func.coalesce(func.sum(Compensation.points).filter(granted), 0),
                func.count().filter(Compensation.status.in_(OPEN_STATUSES)),
            ).where(mine)
        )
    ).one()
    granted_money = {currency: amount for currency, amount in money if currency and amount is not None}
    return Totals(granted=granted_money, granted_points=int(points or 0), open=open_count)
