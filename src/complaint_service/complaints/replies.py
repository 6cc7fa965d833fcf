"""Answers to the customer (public, sent through their channel) and notes between colleagues (internal)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import lifecycle, timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.problems import InvalidTransition
from complaint_service.models import Complaint, Message
from complaint_service.models.enums import ComplaintStatus, MessageDirection, Visibility
from complaint_service.outbound import service as outbound_service
from complaint_service.sla import service as sla_service

S = ComplaintStatus


async def reply(
    session: AsyncSession,
    complaint: Complaint,
    *,
    body: str,
    actor: str,
    visibility: Visibility,
    data: dict[str, object] | None = None,
) -> Message:
    """A public reply meets the response clocks and puts an assigned complaint in progress."""
    if visibility is Visibility.internal:
        return await _note(session, complaint, body=body, actor=actor, data=data)
    if complaint.status in (S.new.value, S.closed.value):
        raise InvalidTransition(f"A {complaint.status} complaint takes no public reply.")
    message = await outbound_service.send_to_customer(
        session, complaint=complaint, body=body, kind="reply", author=actor, automatic=False
    )
    assert message is not None  # only automatic messages are ever dropped
    now = utcnow()
    await sla_service.on_public_reply(session, complaint=complaint, now=now)
    if complaint.status == S.assigned.value:
        await lifecycle.transition(
            session, complaint, S.in_progress, actor=actor, data={"reason": "first reply"}, now=now
        )
    if data:
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="reply.context",
            actor=actor,
            data={"message_id": str(message.id), **data},
        )
    return message


async def _note(
    session: AsyncSession, complaint: Complaint, *, body: str, actor: str, data: dict[str, object] | None
) -> Message:
    message: Message | None = await session.scalar(
        insert(Message)
        .values(
            complaint_id=complaint.id,
            direction=MessageDirection.outbound.value,
            visibility=Visibility.internal.value,
            channel=complaint.channel,
            author=actor,
            body=body,
        )
        .returning(Message)
    )
    assert message is not None
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="note.added",
        actor=actor,
        data={"message_id": str(message.id), **(data or {})},
    )
    return message
