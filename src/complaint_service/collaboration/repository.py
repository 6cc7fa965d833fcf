"""Collaboration request queries: views with their clock's warning and breach, inboxes, access checks."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import CollaborationRequest, Complaint, SlaAction, SlaClock
from complaint_service.models.collaboration import CollaborationStatus
from complaint_service.models.enums import ActionKind


@dataclass(frozen=True)
class RequestView:
    """A request as read: with its complaint's reference and department, and when its clock warned or
    breached (the SLA timers own those, so they are read from the clock, never copied)."""

    request: CollaborationRequest
    reference: str
    complaint_department: str | None
    warned_at: datetime | None
    breached_at: datetime | None


ViewQuery = Select[CollaborationRequest, str, str | None, datetime | None, datetime | None]


def _views() -> ViewQuery:
    warned = (
        select(func.min(SlaAction.fired_at))
        .where(
            SlaAction.clock_id == CollaborationRequest.clock_id, SlaAction.kind == ActionKind.warning.value
        )
        .scalar_subquery()
    )
    return (
        select(CollaborationRequest, Complaint.reference, Complaint.department, warned, SlaClock.breached_at)
        .join(Complaint, Complaint.id == CollaborationRequest.complaint_id)
        .join(SlaClock, SlaClock.id == CollaborationRequest.clock_id)
    )


async def _fetch(session: AsyncSession, query: ViewQuery) -> list[RequestView]:
    return [RequestView(*row) for row in await session.execute(query)]


async def get_view(session: AsyncSession, *, request_id: uuid.UUID) -> RequestView | None:
    views = await _fetch(session, _views().where(CollaborationRequest.id == request_id))
    return views[0] if views else None


async def complaint_department(session: AsyncSession, *, complaint_id: uuid.UUID) -> str | None:
    return await session.scalar(select(Complaint.department).where(Complaint.id == complaint_id))


async def get_for_update(session: AsyncSession, *, request_id: uuid.UUID) -> CollaborationRequest | None:
    return await session.get(CollaborationRequest, request_id, with_for_update=True, populate_existing=True)


async def list_for_complaint(
    session: AsyncSession, *, complaint_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> list[RequestView]:
    query = _views().where(CollaborationRequest.complaint_id == complaint_id)
    if after is not None:
        query = query.where(CollaborationRequest.id > after)
    return await _fetch(session, query.order_by(CollaborationRequest.id).limit(limit))


async def list_inbox(
    session: AsyncSession,
    *,
    departments: Collection[str] | None,
    statuses: Collection[str],
    after: uuid.UUID | None,
    limit: int,
) -> tuple[list[RequestView], uuid.UUID | None]:
    """Oldest first: a work queue, whose longest-waiting requests are usually the ones due soonest.

    `departments` None reads every department's requests. Returns the page and the next cursor.
    """
    query = _views()
    if departments is not None:
        query = query.where(CollaborationRequest.to_department.in_(list(departments)))
    if statuses:
        query = query.where(CollaborationRequest.status.in_(list(statuses)))
    if after is not None:
        query = query.where(CollaborationRequest.id > after)
    views = await _fetch(session, query.order_by(CollaborationRequest.id).limit(limit + 1))
    if len(views) > limit:
        return views[:limit], views[limit - 1].request.id
    return views, None


async def open_for_complaint(
    session: AsyncSession, *, complaint_id: uuid.UUID
) -> Sequence[CollaborationRequest]:
    return (
        await session.scalars(
            select(CollaborationRequest)
            .where(
                CollaborationRequest.complaint_id == complaint_id,
                CollaborationRequest.status == CollaborationStatus.open.value,
            )
            .order_by(CollaborationRequest.id)
            .with_for_update()
        )
    ).all()


async def is_asked(session: AsyncSession, *, complaint_id: uuid.UUID, departments: Collection[str]) -> bool:
    """Whether an open request on the complaint asks one of `departments`; one index probe."""
    asked = await session.scalar(
        select(
            exists().where(
                CollaborationRequest.complaint_id == complaint_id,
                CollaborationRequest.status == CollaborationStatus.open.value,
                CollaborationRequest.to_department.in_(list(departments)),
            )
        )
    )
    return bool(asked)
