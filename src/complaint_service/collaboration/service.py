"""Collaboration requests: a complaint's department asks another for help, which answers or declines in time.

Each step is on the complaint's timeline (`collaboration.<step>`, with the texts) and published to
webhook subscribers (without the texts, which may hold personal data: subscribers read the request).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.collaboration import clock, deadlines, repository
from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.ids import uuid7
from complaint_service.core.jobs import session_settings
from complaint_service.core.problems import Conflict, FieldError, InvalidTransition, UnprocessableContent
from complaint_service.models import CollaborationRequest, Complaint
from complaint_service.models.collaboration import CollaborationStatus
from complaint_service.models.enums import ClockState, ComplaintStatus
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import admin as routing_admin
from complaint_service.sla import service as sla_service

Status = CollaborationStatus
CLOSED_WITH_COMPLAINT = "the complaint was closed"


def _invalid(field: str, message: str, type_: str) -> UnprocessableContent:
    return UnprocessableContent(message, errors=[FieldError(loc=["body", field], msg=message, type=type_)])


async def _announce(
    session: AsyncSession,
    request: CollaborationRequest,
    step: str,
    *,
    actor: str,
    data: dict[str, Any] | None = None,
    texts: dict[str, str | None] | None = None,
) -> None:
    event_type = f"collaboration.{step}"
    payload = {
        "request_id": str(request.id),
        "from_department": request.from_department,
        "to_department": request.to_department,
        "status": request.status,
        "due_at": request.due_at.isoformat(),
        **(data or {}),
    }
    await timeline.record(
        session, complaint_id=request.complaint_id, type=event_type, actor=actor, data=payload | (texts or {})
    )
    await outbound_service.publish(
        session, complaint_id=request.complaint_id, event_type=event_type, data=payload
    )


async def request_help(
    session: AsyncSession,
    principal: Principal,
    complaint: Complaint,
    *,
    to_department: str,
    question: str,
    within_minutes: int | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> CollaborationRequest:
    """The caller holds the complaint's row lock (the clock takes the complaint's next sequence number).

    The deadline counts on the asked department's calendar; the warnings are the complaint's SLA
    policy's, and a complaint whose SLA runs around the clock gets an answer around the clock too.
    """
    now = now or utcnow()
    if complaint.status == ComplaintStatus.closed.value:
        raise InvalidTransition(f"Complaint {complaint.reference} is closed; reopen it to ask for help.")
    if to_department == complaint.department:
        raise _invalid("to_department", "Ask another department than the complaint's own.", "same_department")
    department = await routing_admin.get_department(session, key=to_department)
    if department is None:
        raise _invalid("to_department", f"Unknown department {to_department!r}.", "unknown_department")
    if due_at is not None and due_at <= now:
        raise _invalid("due_at", "The deadline must lie in the future.", "past_deadline")
    tier = await sla_service.customer_tier(session, complaint)
    policy = await sla_service.policy_for(session, complaint=complaint, tier=tier)
    deadline = deadlines.deadline(
        session_settings(session).collaboration,
        department=to_department,
        department_calendar=department.calendar,
        around_the_clock=policy.around_the_clock,
        now=now,
        within_minutes=within_minutes,
        due_at=due_at,
    )
    clock_id = await clock.start(
        session,
        complaint_id=complaint.id,
        deadline=deadline,
        warnings=policy.warnings,
        policy_ids=policy.policy_ids,
        now=now,
    )
    request = CollaborationRequest(
        id=uuid7(),
        complaint_id=complaint.id,
        clock_id=clock_id,
        from_department=complaint.department,
        to_department=to_department,
        status=Status.open.value,
        question=question,
        requested_by=principal.actor,
        requested_by_id=principal.user_id,
        due_at=deadline.due_at,
        created_at=now,  # the deadline counts from here
    )
    session.add(request)
    await session.flush()
    await _announce(
        session,
        request,
        "requested",
        actor=principal.actor,
        data={"business_seconds": int(deadline.target.total_seconds())},
        texts={"question": question},
    )
    return request


async def _finish(
    session: AsyncSession,
    request: CollaborationRequest,
    status: Status,
    *,
    actor: str,
    user_id: uuid.UUID | None,
    answer: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Answering or declining meets the clock and cancelling cancels it: its pending actions never fire."""
    if request.status != Status.open.value:
        raise Conflict(f"This collaboration request is already {request.status}.")
    now = now or utcnow()
    request.status, request.answer, request.reason = status.value, answer, reason
    request.closed_at, request.closed_by, request.closed_by_id = now, actor, user_id
    responded = status is not Status.cancelled
    await clock.stop(
        session,
        clock_id=request.clock_id,
        state=ClockState.met if responded else ClockState.cancelled,
        now=now,
    )
    await _announce(
        session,
        request,
        status.value,
        actor=actor,
        data={"on_time": now <= request.due_at} if responded else None,
        texts={"answer": answer} if status is Status.answered else {"reason": reason},
    )


async def answer(
    session: AsyncSession, principal: Principal, request: CollaborationRequest, *, text: str
) -> None:
    await _finish(
        session, request, Status.answered, actor=principal.actor, user_id=principal.user_id, answer=text
    )


async def decline(
    session: AsyncSession, principal: Principal, request: CollaborationRequest, *, reason: str
) -> None:
    await _finish(
        session, request, Status.declined, actor=principal.actor, user_id=principal.user_id, reason=reason
    )


async def cancel(
    session: AsyncSession, principal: Principal, request: CollaborationRequest, *, reason: str | None
) -> None:
    await _finish(
        session, request, Status.cancelled, actor=principal.actor, user_id=principal.user_id, reason=reason
    )


async def cancel_open(
    session: AsyncSession, *, complaint: Complaint, actor: str, now: datetime | None = None
) -> int:
    """A closed complaint needs no more help: its open requests are withdrawn, and their clocks stop."""
    requests = await repository.open_for_complaint(session, complaint_id=complaint.id)
    for request in requests:
        await _finish(
            session,
            request,
            Status.cancelled,
            actor=actor,
            user_id=None,
            reason=CLOSED_WITH_COMPLAINT,
            now=now,
        )
    return len(requests)
