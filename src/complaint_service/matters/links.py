"""Typed links between complaints (related, duplicate, repeat of, follow-up), on both timelines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.core.ids import uuid7
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.models import Complaint, ComplaintLink
from complaint_service.models.enums import LinkKind


def _ends(complaint: Complaint, related: Complaint, kind: LinkKind) -> tuple[Complaint, Complaint]:
    """`related` reads the same both ways: stored once, lower id first, whichever side asked."""
    if kind is LinkKind.related and related.id < complaint.id:
        return related, complaint
    return complaint, related


async def link(
    session: AsyncSession,
    *,
    complaint: Complaint,
    related: Complaint,
    kind: LinkKind,
    actor: str,
    note: str | None = None,
) -> tuple[ComplaintLink, bool]:
    """Idempotent: linking twice returns the first link and False."""
    if complaint.id == related.id:
        raise Conflict("A complaint cannot be linked to itself.")
    start, end = _ends(complaint, related, kind)
    inserted = await session.scalar(
        pg_insert(ComplaintLink)
        .values(id=uuid7(), complaint_id=start.id, related_id=end.id, kind=kind.value, note=note, actor=actor)
        .on_conflict_do_nothing(index_elements=["complaint_id", "related_id", "kind"])
        .returning(ComplaintLink)
    )
    if inserted is None:
        existing = await session.scalar(
            select(ComplaintLink).where(
                ComplaintLink.complaint_id == start.id,
                ComplaintLink.related_id == end.id,
                ComplaintLink.kind == kind.value,
            )
        )
        assert existing is not None  # the conflict was this row
        return existing, False
    data = {
        "link_id": str(inserted.id),
        "kind": kind.value,
        "complaint_id": str(start.id),
        "complaint_reference": start.reference,
        "related_id": str(end.id),
        "related_reference": end.reference,
    }
    await timeline.record_many(
        session,
        events=[(start.id, "complaint.linked", data), (end.id, "complaint.linked", data)],
        actor=actor,
    )
    return inserted, True


async def list_links(
    session: AsyncSession, *, complaint_id: uuid.UUID
) -> Sequence[tuple[ComplaintLink, Complaint]]:
    """Links in both directions, oldest first, each with the complaint at the other end."""
    rows = await session.execute(
        select(ComplaintLink, Complaint)
        .join(
            Complaint,
            or_(
                and_(ComplaintLink.complaint_id == complaint_id, Complaint.id == ComplaintLink.related_id),
                and_(ComplaintLink.related_id == complaint_id, Complaint.id == ComplaintLink.complaint_id),
            ),
        )
        .order_by(ComplaintLink.id)
    )
    return [(row[0], row[1]) for row in rows]


async def unlink(
    session: AsyncSession, *, complaint: Complaint, link_id: uuid.UUID, actor: str
) -> ComplaintLink:
    removed: ComplaintLink | None = await session.scalar(
        delete(ComplaintLink)
        .where(
            ComplaintLink.id == link_id,
            or_(ComplaintLink.complaint_id == complaint.id, ComplaintLink.related_id == complaint.id),
        )
        .returning(ComplaintLink)
    )
    if removed is None:
        raise NotFound(f"Complaint {complaint.reference} has no link {link_id}.")
    data = {
        "link_id": str(removed.id),
        "kind": removed.kind,
        "complaint_id": str(removed.complaint_id),
        "related_id": str(removed.related_id),
    }
    await timeline.record_many(
        session,
        events=[
            (removed.complaint_id, "complaint.unlinked", data),
            (removed.related_id, "complaint.unlinked", data),
        ],
        actor=actor,
    )
    return removed
