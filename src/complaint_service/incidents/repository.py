"""Incident queries: open incidents of a category, detection candidates, links, counts and pages."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Text, and_, bindparam, cast, distinct, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.ids import uuid7_floor
from complaint_service.models import Complaint, Incident, IncidentComplaint, IncidentEvent, IncidentNotice
from complaint_service.models.enums import OPEN_STATUSES, ComplaintFlag, ComplaintStatus
from complaint_service.models.incident import IncidentStatus

OPEN = [s.value for s in OPEN_STATUSES]
# Open complaints that can take a public message: a `new` one has not been triaged yet.
TOLD = frozenset(OPEN) - {ComplaintStatus.new.value}


class Report(NamedTuple):
    """What detection compares of a complaint."""

    id: uuid.UUID
    sender_key: str | None
    subject: str | None
    body: str
    app_version: str | None
    product_sku: str | None

    @property
    def customer(self) -> str:
        """Distinct customers are counted by sender; an unknown sender counts once per complaint."""
        return self.sender_key or f"complaint:{self.id}"


_REPORT_COLUMNS = (
    Complaint.id,
    Complaint.sender_key,
    Complaint.subject,
    Complaint.body,
    Complaint.app_version,
    Complaint.product_sku,
)


# Distinct customers are counted by sender; an unknown sender counts once per complaint.
_SENDER = func.coalesce(Complaint.sender_key, cast(Complaint.id, Text))


def report_of(complaint: Complaint) -> Report:
    return Report(*(getattr(complaint, column.key) for column in _REPORT_COLUMNS))


# Detection runs these for every unit of work that classifies complaints: built once.
_OPEN_INCIDENTS = (
    select(Incident)
    .where(
        Incident.status == IncidentStatus.open.value,
        Incident.category.in_(bindparam("categories", expanding=True)),
    )
    .order_by(Incident.id)
)
# Per incident, the first and the latest linked, in one round trip for any number of incidents; UNION
# (not ALL) drops a complaint among both.
_SAMPLES = text(
    """
    SELECT i.incident_id, s.id, s.sender_key, s.subject, s.body, s.app_version, s.product_sku
    FROM unnest(CAST(:incident_ids AS uuid[])) AS i(incident_id)
    CROSS JOIN LATERAL (
        (SELECT c.id, c.sender_key, c.subject, c.body, c.app_version, c.product_sku
         FROM incident_complaints ic JOIN complaints c ON c.id = ic.complaint_id
         WHERE ic.incident_id = i.incident_id ORDER BY ic.linked_at, c.id LIMIT :limit)
        UNION
        (SELECT c.id, c.sender_key, c.subject, c.body, c.app_version, c.product_sku
         FROM incident_complaints ic JOIN complaints c ON c.id = ic.complaint_id
         WHERE ic.incident_id = i.incident_id ORDER BY ic.linked_at DESC, c.id DESC LIMIT :limit)
    ) AS s
    """
)
_UNLINKED_RECENT = (
    select(*_REPORT_COLUMNS)
    .where(
        Complaint.category == bindparam("category"),
        Complaint.id >= bindparam("floor"),
        Complaint.id.is_distinct_from(bindparam("exclude")),
        Complaint.status.in_(OPEN),
        ~Complaint.flags.contains([ComplaintFlag.suspected_abuse.value]),
        ~exists().where(IncidentComplaint.complaint_id == Complaint.id),
    )
    .order_by(Complaint.id.desc())
    .limit(bindparam("limit"))
)


async def open_incidents(session: AsyncSession, *, categories: Collection[str]) -> Sequence[Incident]:
    """The open incidents of any of the categories, oldest first."""
    return (await session.scalars(_OPEN_INCIDENTS, {"categories": list(categories)})).all()


async def samples(
    session: AsyncSession, *, incident_ids: Collection[uuid.UUID], limit: int
) -> dict[uuid.UUID, list[Report]]:
    """Per incident, the first and the latest complaints linked: the reports it was recognised by (which
    do not drift), and the words people use for it now (a supervisor's incident starts with none)."""
    found: dict[uuid.UUID, list[Report]] = {incident_id: [] for incident_id in incident_ids}
    rows = await session.execute(_SAMPLES, {"incident_ids": list(found), "limit": limit})
    for incident_id, *report in rows:
        found[incident_id].append(Report(*report))
    return found


async def unlinked_recent(
    session: AsyncSession, *, category: str, since: datetime, exclude: uuid.UUID | None, limit: int
) -> list[Report]:
    """Open complaints of the category created since `since`, in no incident and not held as abuse.

    An id range on (category, id): UUIDv7 ids are creation times, so the existing index serves it.
    """
    rows = await session.execute(
        _UNLINKED_RECENT,
        {"category": category, "floor": uuid7_floor(since), "exclude": exclude, "limit": limit},
    )
    return [Report(*row) for row in rows]


async def incident_for_update(session: AsyncSession, *, incident_id: uuid.UUID) -> Incident | None:
    return await session.scalar(select(Incident).where(Incident.id == incident_id).with_for_update())


@dataclass(frozen=True)
class Counts:
    complaints: int
    customers: int
    open: int
    resolved: int
    closed: int


async def counts(session: AsyncSession, *, incident_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Counts]:
    """Linked complaints, distinct customers, and how many are open, resolved or closed, per incident."""
    if not incident_ids:
        return {}
    rows = await session.execute(
        select(
            IncidentComplaint.incident_id,
            func.count(),
            func.count(distinct(_SENDER)),
            func.count().filter(Complaint.status.in_(OPEN)),
            func.count().filter(Complaint.status == ComplaintStatus.resolved.value),
            func.count().filter(Complaint.status == ComplaintStatus.closed.value),
        )
        .join(Complaint, Complaint.id == IncidentComplaint.complaint_id)
        .where(IncidentComplaint.incident_id.in_(incident_ids))
        .group_by(IncidentComplaint.incident_id)
    )
    found = {row[0]: Counts(*row[1:]) for row in rows}
    return {i: found.get(i, Counts(0, 0, 0, 0, 0)) for i in incident_ids}


async def distinct_senders(session: AsyncSession, *, complaint_ids: Sequence[uuid.UUID]) -> int:
    count = await session.scalar(select(func.count(distinct(_SENDER))).where(Complaint.id.in_(complaint_ids)))
    return count or 0


async def page(
    session: AsyncSession,
    *,
    status: IncidentStatus | None,
    category: str | None,
    before: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[Incident], uuid.UUID | None]:
    """Newest first, keyset on the id."""
    query = select(Incident)
    if status is not None:
        query = query.where(Incident.status == status.value)
    if category is not None:
        query = query.where(Incident.category == category)
    if before is not None:
        query = query.where(Incident.id < before)
    rows = (await session.scalars(query.order_by(Incident.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def complaints_page(
    session: AsyncSession,
    *,
    incident_id: uuid.UUID,
    departments: Sequence[str] | None,
    after: uuid.UUID | None,
    limit: int,
) -> tuple[Sequence[Complaint], uuid.UUID | None]:
    """Oldest first, keyset on the complaint id; limited to `departments` unless None."""
    query = (
        select(Complaint)
        .join(IncidentComplaint, IncidentComplaint.complaint_id == Complaint.id)
        .where(IncidentComplaint.incident_id == incident_id)
    )
    if departments is not None:
        query = query.where(Complaint.department.in_(departments))
    if after is not None:
        query = query.where(Complaint.id > after)
    rows = (await session.scalars(query.order_by(Complaint.id).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def events_page(
    session: AsyncSession, *, incident_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[IncidentEvent]:
    query = select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
    if after is not None:
        query = query.where(IncidentEvent.id > after)
    return (await session.scalars(query.order_by(IncidentEvent.id).limit(limit))).all()


async def unnoticed(
    session: AsyncSession, *, incident_id: uuid.UUID, update_id: uuid.UUID, limit: int
) -> Sequence[uuid.UUID]:
    """Linked complaints still open and not yet sent this update, in id order."""
    return (
        await session.scalars(
            select(IncidentComplaint.complaint_id)
            .join(Complaint, Complaint.id == IncidentComplaint.complaint_id)
            .where(
                IncidentComplaint.incident_id == incident_id,
                Complaint.status.in_(TOLD),
                ~exists().where(
                    and_(
                        IncidentNotice.update_id == update_id,
                        IncidentNotice.complaint_id == IncidentComplaint.complaint_id,
                    )
                ),
            )
            .order_by(IncidentComplaint.complaint_id)
            .limit(limit)
        )
    ).all()


async def notices_sent(session: AsyncSession, *, update_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(IncidentNotice).where(IncidentNotice.update_id == update_id)
    )
    return count or 0
