"""Abuse queries: a sender's recent complaints, live blocks, the review queue and block lists."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.ids import uuid7_floor
from complaint_service.models import AbuseReview, Complaint, Message, SenderBlock
from complaint_service.models.abuse import ReviewStatus
from complaint_service.models.enums import MessageDirection


class RecentText(NamedTuple):
    id: uuid.UUID
    subject: str | None
    body: str


async def first_author(session: AsyncSession, *, complaint_id: uuid.UUID) -> str | None:
    """How the channel named whoever wrote the complaint's first message."""
    return await session.scalar(
        select(Message.author)
        .where(Message.complaint_id == complaint_id, Message.direction == MessageDirection.inbound.value)
        .order_by(Message.id)
        .limit(1)
    )


async def predecessors(
    session: AsyncSession, *, complaint: Complaint, since: datetime, limit: int
) -> list[RecentText]:
    """The sender's complaints created in [since, this one), newest first.

    By customer when known (set at intake, the (customer_id, id) index), else by the screened
    sender key (the (sender_key, id) index); UUIDv7 ids make either an index range scan.
    """
    owner = (
        Complaint.customer_id == complaint.customer_id
        if complaint.customer_id is not None
        else Complaint.sender_key == complaint.sender_key
    )
    rows = await session.execute(
        select(Complaint.id, Complaint.subject, Complaint.body)
        .where(owner, Complaint.id >= uuid7_floor(since), Complaint.id < complaint.id)
        .order_by(Complaint.id.desc())
        .limit(limit)
    )
    return [RecentText(r.id, r.subject, r.body) for r in rows]


# Read by every triage batch: built once (see triage.service._LOCK).
_LIVE_BLOCKS = (
    select(SenderBlock)
    .where(
        SenderBlock.sender_key.in_(bindparam("sender_keys", expanding=True)),
        SenderBlock.lifted_at.is_(None),
        SenderBlock.expires_at > bindparam("now"),
    )
    .order_by(SenderBlock.expires_at)
)


async def live_blocks(
    session: AsyncSession, *, sender_keys: Collection[str], now: datetime
) -> dict[str, SenderBlock]:
    """Each sender's live block (the one lasting longest), for the senders that have one."""
    if not sender_keys:
        return {}
    rows = await session.scalars(_LIVE_BLOCKS, {"sender_keys": sorted(sender_keys), "now": now})
    return {block.sender_key: block for block in rows}  # ordered by expiry: the longest wins


async def live_block(session: AsyncSession, *, sender_key: str, now: datetime) -> SenderBlock | None:
    return (await live_blocks(session, sender_keys=[sender_key], now=now)).get(sender_key)


async def review_of(
    session: AsyncSession, *, complaint_id: uuid.UUID, for_update: bool = False
) -> AbuseReview | None:
    query = select(AbuseReview).where(AbuseReview.complaint_id == complaint_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def pending_of_sender(session: AsyncSession, *, sender_key: str) -> Sequence[AbuseReview]:
    return (
        await session.scalars(
            select(AbuseReview)
            .where(AbuseReview.sender_key == sender_key, AbuseReview.status == ReviewStatus.pending.value)
            .order_by(AbuseReview.id)
            .with_for_update()
        )
    ).all()


async def reviews_page(
    session: AsyncSession, *, status: ReviewStatus, after: uuid.UUID | None, limit: int
) -> tuple[list[tuple[AbuseReview, Complaint]], uuid.UUID | None]:
    """Oldest first, as a queue is worked; keyset on the review id."""
    query = (
        select(AbuseReview, Complaint)
        .join(Complaint, Complaint.id == AbuseReview.complaint_id)
        .where(AbuseReview.status == status.value)
    )
    if after is not None:
        query = query.where(AbuseReview.id > after)
    rows = [(r[0], r[1]) for r in await session.execute(query.order_by(AbuseReview.id).limit(limit + 1))]
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1][0].id
    return rows, None


async def blocks_page(
    session: AsyncSession, *, live_only: bool, now: datetime, before: uuid.UUID | None, limit: int
) -> tuple[Sequence[SenderBlock], uuid.UUID | None]:
    """Newest first; `live_only` leaves out blocks that were lifted or have expired."""
    query = select(SenderBlock)
    if live_only:
        query = query.where(SenderBlock.lifted_at.is_(None), SenderBlock.expires_at > now)
    if before is not None:
        query = query.where(SenderBlock.id < before)
    rows = (await session.scalars(query.order_by(SenderBlock.id.desc()).limit(limit + 1))).all()
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


async def block_for_update(session: AsyncSession, *, block_id: uuid.UUID) -> SenderBlock | None:
    return await session.scalar(select(SenderBlock).where(SenderBlock.id == block_id).with_for_update())
