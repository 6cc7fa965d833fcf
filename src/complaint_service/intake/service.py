"""ingest(): one channel draft in, one committed-once complaint (or a threaded message) out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.ids import uuid7
from complaint_service.core.jobs import enqueue_after_commit
from complaint_service.core.problems import Conflict, IdempotencyKeyReused
from complaint_service.customers import service as customer_service
from complaint_service.customers.service import Handle
from complaint_service.intake.channels.base import ComplaintDraft
from complaint_service.intake.language import detect_language
from complaint_service.intake.new_complaint import insert_new
from complaint_service.logging import current_request_id
from complaint_service.models import Complaint, Message
from complaint_service.models.enums import MessageDirection, Visibility
from complaint_service.ops.metrics import COMPLAINTS_RECEIVED, count_after_commit
from complaint_service.pii.detect import contains_pii
from complaint_service.settings import Settings


class IntakeOutcome(StrEnum):
    created = "created"
    duplicate = "duplicate"
    threaded = "threaded"


@dataclass(frozen=True)
class IntakeResult:
    complaint_id: uuid.UUID
    reference: str
    status: str
    outcome: IntakeOutcome

    @classmethod
    def of(cls, complaint: Complaint, outcome: IntakeOutcome) -> IntakeResult:
        return cls(complaint.id, complaint.reference, complaint.status, outcome)


def _message_row(draft: ComplaintDraft, complaint_id: uuid.UUID) -> dict[str, object]:
    return {
        "id": uuid7(),
        "complaint_id": complaint_id,
        "direction": MessageDirection.inbound.value,
        "visibility": Visibility.public.value,
        "channel": draft.channel.value,
        "external_id": draft.external_id,
        "author": draft.author,
        "subject": draft.subject,
        "body": draft.body,
        "attachments": [a.model_dump(mode="json", exclude_none=True) for a in draft.attachments],
        "flags": [f.value for f in draft.flags],
    }


async def _thread_onto(
    session: AsyncSession, *, draft: ComplaintDraft, principal: Principal
) -> IntakeResult | None:
    """A reply to a message we already hold joins that complaint instead of opening a new one."""
    if not draft.thread_refs:
        return None
    complaint = await session.scalar(
        select(Complaint)
        .join(Message, Message.complaint_id == Complaint.id)
        .where(Message.channel == draft.channel.value, Message.external_id.in_(draft.thread_refs))
        .order_by(Message.id.desc())
        .limit(1)
        .with_for_update(of=Complaint)
    )
    if complaint is None:
        return None
    inserted = await session.scalar(
        pg_insert(Message)
        .values(_message_row(draft, complaint.id))
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(Message.id)
    )
    if inserted is None:
        return IntakeResult.of(complaint, IntakeOutcome.duplicate)
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="message.received",
        actor=principal.actor,
        data={
            "message_id": str(inserted),
            "channel": draft.channel.value,
            "flags": [f.value for f in draft.flags],
        },
    )
    await lifecycle.on_customer_message(session, complaint, actor=principal.actor)
    return IntakeResult.of(complaint, IntakeOutcome.threaded)


async def _existing(
    session: AsyncSession, *, draft: ComplaintDraft, idempotency_key: str | None, request_hash: str | None
) -> Complaint:
    clauses = []
    if draft.external_id is not None:
        clauses.append(
            and_(Complaint.channel == draft.channel.value, Complaint.external_id == draft.external_id)
        )
    if idempotency_key is not None:
        clauses.append(Complaint.idempotency_key == idempotency_key)
    existing = await session.scalar(select(Complaint).where(or_(*clauses)).limit(1)) if clauses else None
    if existing is None:
        raise Conflict("The complaint conflicts with one being written concurrently; retry the request.")
    if (
        idempotency_key is not None
        and existing.idempotency_key == idempotency_key
        and request_hash is not None
        and existing.request_hash != request_hash
    ):
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request body.")
    return existing


async def _fold_lost_customer(session: AsyncSession, loser: uuid.UUID, handles: list[Handle]) -> None:
    """Two requests introduced the same new person at once and this one lost an identity: its
    complaint (if any) joins the winner's customer and the loser's customer row goes."""
    winner = await customer_service.winner_of(session, handles, loser=loser)
    await customer_service.fold_into(session, loser=loser, winner=winner)


async def ingest(
    session: AsyncSession,
    *,
    draft: ComplaintDraft,
    principal: Principal,
    settings: Settings,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> IntakeResult:
    """Idempotent by (channel, external id) and by Idempotency-Key, via INSERT … ON CONFLICT.

    Never commits: the caller's unit of work does, so a 2xx is only sent for committed data. A new
    complaint is one statement; when the unit of work has done nothing else yet, it runs on an
    autocommit connection, so it is committed when it returns and no BEGIN or COMMIT round trip is
    spent on it.
    """
    threaded = await _thread_onto(session, draft=draft, principal=principal)
    if threaded is not None:
        return threaded

    if not session.in_transaction():
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    scoped_key = f"{principal.key_id}:{idempotency_key}" if idempotency_key else None
    handles = customer_service.normalize_all(draft.identities, default_region=settings.default_phone_region)
    inserted = await insert_new(
        session,
        draft=draft,
        handles=handles,
        idempotency_key=scoped_key,
        request_hash=request_hash,
        language=draft.language or detect_language(f"{draft.subject or ''}\n{draft.body}"),
        has_pii=contains_pii(draft.subject) or contains_pii(draft.body),
        received_at=draft.received_at or utcnow(),
        reference_prefix=settings.reference_prefix,
        timezone=settings.timezone,
        actor=principal.actor,
        request_id=current_request_id(),
    )
    if inserted.lost_customer_id is not None:
        await _fold_lost_customer(session, inserted.lost_customer_id, handles)
    created = inserted.complaint
    if created is None:
        existing = await _existing(
            session, draft=draft, idempotency_key=scoped_key, request_hash=request_hash
        )
        return IntakeResult.of(existing, IntakeOutcome.duplicate)
    enqueue_after_commit(session, "triage.classify", str(created.id))
    count_after_commit(session, COMPLAINTS_RECEIVED, draft.channel.value)
    return IntakeResult(created.id, created.reference, created.status, IntakeOutcome.created)
