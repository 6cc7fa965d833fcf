"""Creating webhook deliveries: subscriber events, customer messages by channel, and redelivery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.core import pending
from complaint_service.core.clock import utcnow
from complaint_service.core.ids import uuid7
from complaint_service.core.jobs import enqueue_after_commit, job_id, session_settings
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.models import Complaint, Message, WebhookDelivery
from complaint_service.models.enums import ComplaintFlag, DeliveryStatus, MessageDirection, Visibility
from complaint_service.outbound import repository
from complaint_service.outbound.events import MESSAGE_OUTBOUND, EventType

DELIVER = "outbound.deliver"


def deliver_job_key(delivery_id: uuid.UUID | str, attempts: int) -> str:
    """One key per (delivery, attempts): the after-commit path and the reconciler collapse into one job."""
    return job_id(DELIVER, delivery_id, attempts)


def _queue_deliveries(
    session: AsyncSession,
    *,
    endpoint_ids: Sequence[uuid.UUID],
    event_type: str,
    complaint_id: uuid.UUID | None,
    message_id: uuid.UUID | None,
    data: dict[str, Any],
) -> int:
    """Rows written at commit (see `core.pending`); the payload is final here, so every retry sends the
    same bytes. Each delivery's job is enqueued once the rows are committed."""
    if not endpoint_ids:
        return 0
    now = utcnow()
    delivery_ids = [uuid7() for _ in endpoint_ids]
    rows = []
    for delivery_id, endpoint_id in zip(delivery_ids, endpoint_ids, strict=True):
        payload = {
            "id": str(delivery_id),
            "type": event_type,
            "occurred_at": now.isoformat(),
            "complaint_id": str(complaint_id) if complaint_id else None,
            "data": data,
        }
        rows.append(
            {
                "id": delivery_id,
                "endpoint_id": endpoint_id,
                "complaint_id": complaint_id,
                "message_id": message_id,
                "event_type": event_type,
                "payload": payload,
                "status": DeliveryStatus.pending.value,
                "attempts": 0,
                "next_attempt_at": now,
            }
        )
    pending.add(session, WebhookDelivery, rows)
    for delivery_id in delivery_ids:
        enqueue_after_commit(session, DELIVER, str(delivery_id), job_key=deliver_job_key(delivery_id, 0))
    return len(rows)


async def publish(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID | None,
    event_type: str,
    data: dict[str, Any],
    exclude_endpoint_id: uuid.UUID | None = None,
) -> int:
    """Queue `event_type` for every enabled endpoint subscribed to it (or to "*"); returns how many.

    `data` must be JSON-serialisable as is (ids and datetimes as strings).
    """
    endpoint_ids = await repository.subscribers(session, event_type=event_type, exclude=exclude_endpoint_id)
    return _queue_deliveries(
        session,
        endpoint_ids=endpoint_ids,
        event_type=event_type,
        complaint_id=complaint_id,
        message_id=None,
        data=data,
    )


# The inbound message each complaint's latest one answers, for e-mail threading (In-Reply-To).
_IN_REPLY_TO = (
    select(Message.complaint_id, Message.external_id)
    .where(
        Message.complaint_id.in_(bindparam("complaint_ids", expanding=True)),
        Message.direction == MessageDirection.inbound.value,
        Message.external_id.is_not(None),
    )
    .order_by(Message.complaint_id, Message.id.desc())
    .ext(distinct_on(Message.complaint_id))
)


async def _in_reply_to(session: AsyncSession, complaint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not complaint_ids:
        return {}
    rows = await session.execute(_IN_REPLY_TO, {"complaint_ids": list(complaint_ids)})
    return {row.complaint_id: row.external_id for row in rows}


@dataclass(frozen=True)
class Outgoing:
    """One message to a customer. `stored_body` is what the message row keeps when `body` carries a
    secret meant for the customer only (a survey link)."""

    complaint: Complaint
    body: str
    kind: str
    author: str
    automatic: bool
    stored_body: str | None = None


_INSERT_MESSAGES = insert(Message).returning(Message, sort_by_parameter_order=True)


async def send_to_customers(session: AsyncSession, outgoing: Sequence[Outgoing]) -> list[Message | None]:
    """Answer customers on each complaint's own channel, through the endpoints adapting that channel.

    An automatic message to a complaint flagged `no_auto_reply` (auto-generated mail, bounces) is
    dropped without a trace (None in its place): answering it would start a mail loop. A triage batch
    acknowledges all its complaints here: one INSERT for the messages, one look-up for threading.
    """
    quiet = ComplaintFlag.no_auto_reply.value
    sending = [o for o in outgoing if not (o.automatic and quiet in o.complaint.flags)]
    domain = session_settings(session).outbound.message_id_domain
    rows = []
    for item in sending:
        message_id = uuid7()
        rows.append(
            {
                "id": message_id,
                "complaint_id": item.complaint.id,
                "direction": MessageDirection.outbound.value,
                "visibility": Visibility.public.value,
                "channel": item.complaint.channel,
                # An RFC 5322 id of our own: e-mail adapters send it as Message-ID, so the customer's
                # reply (In-Reply-To/References) threads back onto this complaint.
                "external_id": f"{message_id}@{domain}",
                "author": item.author,
                "body": item.body if item.stored_body is None else item.stored_body,
                "flags": [],
            }
        )
    messages = list(await session.scalars(_INSERT_MESSAGES, rows)) if rows else []
    adapters = {
        channel: await repository.channel_adapters(session, channel=channel)
        for channel in {item.complaint.channel for item in sending}
    }
    threads = await _in_reply_to(session, [i.complaint.id for i in sending if adapters[i.complaint.channel]])
    sent: dict[int, Message] = {}
    for item, message in zip(sending, messages, strict=True):
        sent[id(item)] = message
        complaint = item.complaint
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="message.sent",
            actor=item.author,
            data={"message_id": str(message.id), "kind": item.kind, "automatic": item.automatic},
        )
        _queue_deliveries(
            session,
            endpoint_ids=adapters[complaint.channel],
            event_type=MESSAGE_OUTBOUND,
            complaint_id=complaint.id,
            message_id=message.id,
            data={
                "message_id": str(message.id),
                "external_message_id": message.external_id,
                "kind": item.kind,
                "channel": complaint.channel,
                "reference": complaint.reference,
                "body": item.body,
                "external_id": complaint.external_id,
                "customer_id": str(complaint.customer_id) if complaint.customer_id else None,
                "in_reply_to": threads.get(complaint.id),
            },
        )
        await publish(
            session,
            complaint_id=complaint.id,
            event_type=EventType.message_sent.value,
            data={
                "message_id": str(message.id),
                "kind": item.kind,
                "channel": complaint.channel,
                "reference": complaint.reference,
                "automatic": item.automatic,
            },
        )
    return [sent.get(id(item)) for item in outgoing]


async def send_to_customer(
    session: AsyncSession,
    *,
    complaint: Complaint,
    body: str,
    kind: str,
    author: str,
    automatic: bool,
    stored_body: str | None = None,
) -> Message | None:
    """One message; see `send_to_customers`."""
    (message,) = await send_to_customers(
        session, [Outgoing(complaint, body, kind, author, automatic, stored_body)]
    )
    return message


async def redeliver(session: AsyncSession, *, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Try a dead delivery once more, now; its attempt count and last error stay as history.

    Its retry window is usually spent, so a failure of this try dead-letters it again.
    """
    delivery = await repository.get_delivery(session, delivery_id=delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"No webhook delivery {delivery_id}.")
    if delivery.status != DeliveryStatus.dead.value:
        raise Conflict(f"Only dead deliveries can be redelivered; this one is {delivery.status}.")
    delivery.status = DeliveryStatus.pending.value
    delivery.next_attempt_at = utcnow()
    await session.flush()
    # A dead delivery's current attempt count was never used as a job key (dying enqueues nothing).
    enqueue_after_commit(
        session, DELIVER, str(delivery.id), job_key=deliver_job_key(delivery.id, delivery.attempts)
    )
    return delivery
