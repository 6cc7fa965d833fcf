"""The compensation state machine; every step is on the complaint's timeline and sent to subscribers.

    offered ───────────────────────────┐
    pending_approval → approved ───────┴→ granted
                     → rejected
    offered, pending_approval, approved → cancelled

A proposal above the configured limit (per currency, or in points) waits for a supervisor; one
below it can be granted at once. Who may take each step is checked by the routes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.compensation.schemas import CompensationIn
from complaint_service.complaints import timeline
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import session_settings
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.models import Compensation, Complaint
from complaint_service.models.enums import CompensationKind
from complaint_service.models.enums import CompensationStatus as S
from complaint_service.outbound import service as outbound_service
from complaint_service.settings import CompensationConfig

OPEN = frozenset({S.offered, S.pending_approval, S.approved})
GRANTABLE = frozenset({S.offered, S.approved})


def needs_approval(
    config: CompensationConfig,
    *,
    kind: CompensationKind,
    amount: Decimal | None,
    currency: str | None,
    points: int | None,
) -> bool:
    """Above the limit of its currency; a currency without a limit always needs a supervisor."""
    if kind is CompensationKind.points:
        return (points or 0) > config.points_approval_threshold
    limit = config.approval_threshold.get((currency or "").upper())
    return limit is None or (amount or Decimal(0)) > limit


def _summary(compensation: Compensation) -> dict[str, Any]:
    return {
        "compensation_id": str(compensation.id),
        "kind": compensation.kind,
        "amount": str(compensation.amount) if compensation.amount is not None else None,
        "currency": compensation.currency,
        "points": compensation.points,
        "status": compensation.status,
        "needs_approval": compensation.needs_approval,
    }


async def _announce(
    session: AsyncSession,
    complaint: Complaint,
    compensation: Compensation,
    *,
    actor: str,
    extra: dict[str, Any],
) -> None:
    """`compensation.<status>` on the timeline and to subscribers (`offered` also when awaiting approval)."""
    status = S.offered.value if compensation.status == S.pending_approval.value else compensation.status
    data = {**_summary(compensation), **extra}
    await timeline.record(
        session, complaint_id=complaint.id, type=f"compensation.{status}", actor=actor, data=data
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type=f"compensation.{status}",
        data={**data, "reference": complaint.reference},
    )


async def propose(
    session: AsyncSession, complaint: Complaint, *, data: CompensationIn, actor: str
) -> Compensation:
    approval = needs_approval(
        session_settings(session).compensation,
        kind=data.kind,
        amount=data.amount,
        currency=data.currency,
        points=data.points,
    )
    compensation = Compensation(
        complaint_id=complaint.id,
        kind=data.kind.value,
        amount=data.amount,
        currency=data.currency,
        points=data.points,
        note=data.note,
        status=(S.pending_approval if approval else S.offered).value,
        needs_approval=approval,
        proposed_by=actor,
    )
    session.add(compensation)
    await session.flush()
    await session.refresh(compensation)
    await _announce(session, complaint, compensation, actor=actor, extra={"note": data.note})
    return compensation


async def load(
    session: AsyncSession, *, compensation_id: uuid.UUID, for_update: bool = False
) -> Compensation:
    compensation = await session.get(
        Compensation, compensation_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if compensation is None:
        raise NotFound(f"No compensation {compensation_id}.")
    return compensation


def _require(compensation: Compensation, allowed: frozenset[S], action: str) -> None:
    if S(compensation.status) not in allowed:
        hint = " It needs a supervisor's approval first." if compensation.status == S.pending_approval else ""
        raise Conflict(f"A compensation that is {compensation.status} cannot be {action}.{hint}")


async def decide(
    session: AsyncSession,
    complaint: Complaint,
    compensation: Compensation,
    *,
    approve: bool,
    note: str | None,
    actor: str,
    now: datetime | None = None,
) -> None:
    _require(compensation, frozenset({S.pending_approval}), "approved" if approve else "rejected")
    compensation.status = (S.approved if approve else S.rejected).value
    compensation.decided_by, compensation.decided_at, compensation.decision_note = (
        actor,
        now or utcnow(),
        note,
    )
    await _announce(session, complaint, compensation, actor=actor, extra={"note": note})


async def grant(
    session: AsyncSession,
    complaint: Complaint,
    compensation: Compensation,
    *,
    reference: str | None,
    actor: str,
    now: datetime | None = None,
) -> None:
    _require(compensation, GRANTABLE, "granted")
    compensation.status = S.granted.value
    compensation.granted_by, compensation.granted_at, compensation.grant_reference = (
        actor,
        now or utcnow(),
        reference,
    )
    await _announce(session, complaint, compensation, actor=actor, extra={"grant_reference": reference})


async def cancel(
    session: AsyncSession,
    complaint: Complaint,
    compensation: Compensation,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> None:
    _require(compensation, OPEN, "cancelled")
    compensation.status = S.cancelled.value
    compensation.cancelled_by, compensation.cancelled_at = actor, now or utcnow()
    await _announce(session, complaint, compensation, actor=actor, extra={"reason": reason})
