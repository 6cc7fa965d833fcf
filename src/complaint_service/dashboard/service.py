"""Open complaints that broke an SLA promise or were escalated: what a supervisor must look at now."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.dashboard.schemas import Attention, AttentionItem
from complaint_service.models import Complaint, SlaClock
from complaint_service.models.enums import OPEN_STATUSES, ClockState

UNMET = (ClockState.running.value, ClockState.paused.value)
COLUMNS = [getattr(Complaint, name) for name in AttentionItem.model_fields if name != "breached"]


def _broken_clocks() -> ColumnElement[bool]:
    return and_(
        SlaClock.complaint_id == Complaint.id, SlaClock.breached_at.is_not(None), SlaClock.state.in_(UNMET)
    )


async def attention(session: AsyncSession, *, limit: int) -> Attention:
    """Open complaints only (a breach on a resolved complaint is history, for the figures)."""
    needs_attention = and_(
        Complaint.status.in_([s.value for s in OPEN_STATUSES]),
        or_(Complaint.escalation_level > 0, exists().where(_broken_clocks())),
    )
    breached = select(func.array_agg(func.distinct(SlaClock.kind))).where(_broken_clocks()).scalar_subquery()
    # P1 first; complaints without an urgency (not triaged yet) after P4.
    urgency_rank = func.coalesce(func.substr(Complaint.urgency, 2).cast(Integer), 9)
    rows = (
        await session.execute(
            select(*COLUMNS, breached.label("breached"))
            .where(needs_attention)
            .order_by(urgency_rank, case((Complaint.escalation_level > 0, 0), else_=1), Complaint.received_at)
            .limit(limit)
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(Complaint).where(needs_attention))
    return Attention(
        total=total or 0,
        items=[
            AttentionItem.model_validate({**row._mapping, "breached": sorted(row.breached or [])})
            for row in rows
        ],
    )
