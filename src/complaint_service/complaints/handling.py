"""Working a complaint: who may act on it, (re)assigning and claiming, edits, and bulk actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal, Role
from complaint_service.complaints import lifecycle, repository, timeline
from complaint_service.complaints.commands import BulkIn, BulkOut, BulkSkip, ComplaintPatch
from complaint_service.core.clock import utcnow
from complaint_service.core.problems import (
    Conflict,
    FieldError,
    Forbidden,
    ProblemError,
    UnprocessableContent,
)
from complaint_service.models import Agent, Complaint
from complaint_service.models.enums import ComplaintStatus, Urgency
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import service as routing_service
from complaint_service.sla import service as sla_service

S = ComplaintStatus
ASSIGNABLE = (S.triaged, S.assigned, S.in_progress, S.pending_customer)


def ensure_can_work(principal: Principal, complaint: Complaint) -> None:
    """Agents work their own complaints; leads and above any complaint they can see.

    API keys act only with `admin` (integrations such as a chatbot); read-only keys may not act.
    """
    if principal.role is None:
        if not principal.at_least(Role.admin):
            raise Forbidden("This API key may read complaints but not act on them.")
        return
    if principal.at_least(Role.team_lead) or complaint.assignee_id in (None, principal.user_id):
        return
    raise Forbidden("The complaint is assigned to someone else; a team lead can reassign it.")


async def _person_for(session: AsyncSession, complaint: Complaint, person_id: uuid.UUID) -> Agent:
    person = await session.get(Agent, person_id)
    if person is None or person.disabled_at is not None:
        raise UnprocessableContent(
            "No such active person.",
            errors=[
                FieldError(loc=["body", "assignee_id"], msg="unknown or disabled person", type="unknown")
            ],
        )
    if complaint.department not in person.departments and person.role not in (Role.supervisor, Role.manager):
        raise UnprocessableContent(
            f"{person.name} does not work for {complaint.department}.",
            errors=[FieldError(loc=["body", "assignee_id"], msg="not in the department", type="department")],
        )
    return person


async def assign(
    session: AsyncSession,
    principal: Principal,
    complaint: Complaint,
    *,
    assignee_id: uuid.UUID,
    note: str | None,
) -> None:
    """Team leads and above hand a complaint to a person of its department, whatever their load."""
    if not principal.at_least(Role.team_lead):
        raise Forbidden("Assigning needs the team_lead role or above; agents claim with /claim.")
    if S(complaint.status) not in ASSIGNABLE:
        raise Conflict(f"A {complaint.status} complaint cannot be assigned.")
    if complaint.assignee_id == assignee_id:
        return
    person = await _person_for(session, complaint, assignee_id)
    await routing_service.hand_to(
        session,
        complaint=complaint,
        agent=person,
        now=utcnow(),
        actor=principal.actor,
        data={"manual": True, **({"note": note} if note else {})},
    )


async def claim(session: AsyncSession, principal: Principal, complaint: Complaint) -> None:
    """A person takes an unassigned complaint of their department for themselves."""
    if principal.user_id is None:
        raise Forbidden("Only people claim complaints.")
    if S(complaint.status) not in ASSIGNABLE:
        raise Conflict(f"A {complaint.status} complaint cannot be claimed.")
    if complaint.assignee_id == principal.user_id:
        return
    if complaint.assignee_id is not None and not principal.at_least(Role.team_lead):
        raise Conflict("Someone else already works on this complaint.")
    person = await _person_for(session, complaint, principal.user_id)
    await routing_service.hand_to(
        session,
        complaint=complaint,
        agent=person,
        now=utcnow(),
        actor=principal.actor,
        data={"claimed": True},
    )


async def change_urgency(
    session: AsyncSession, complaint: Complaint, urgency: Urgency, *, actor: str, reason: str | None
) -> bool:
    if complaint.urgency == urgency.value:
        return False
    previous, complaint.urgency = complaint.urgency, urgency.value
    await _retime(session, complaint)
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="complaint.urgency_changed",
        actor=actor,
        data={"from": previous, "to": urgency.value, "reason": reason},
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="complaint.updated",
        data={"reference": complaint.reference, "urgency": urgency.value},
    )
    return True


async def _retime(session: AsyncSession, complaint: Complaint) -> None:
    """Targets follow urgency and category: live clocks move by the change of their target."""
    if complaint.status not in lifecycle.OPEN or complaint.triaged_at is None:
        return
    tier = await sla_service.customer_tier(session, complaint)
    policy = await sla_service.policy_for(session, complaint=complaint, tier=tier)
    await sla_service.recompute(session, complaint=complaint, policy=policy, now=utcnow())


async def retime_customer(session: AsyncSession, *, customer_id: uuid.UUID) -> int:
    """A new tier can select other SLA policies: the customer's open complaints are re-timed now.

    Locked in id order, as bulk actions lock theirs; returns how many were looked at.
    """
    complaints = (
        await session.scalars(
            select(Complaint)
            .where(
                Complaint.customer_id == customer_id,
                Complaint.status.in_(lifecycle.OPEN),
                Complaint.triaged_at.is_not(None),
            )
            .order_by(Complaint.id)
            .with_for_update()
        )
    ).all()
    for complaint in complaints:
        await _retime(session, complaint)
    return len(complaints)


async def patch(session: AsyncSession, complaint: Complaint, changes: ComplaintPatch, *, actor: str) -> None:
    if changes.urgency is not None:
        await change_urgency(session, complaint, changes.urgency, actor=actor, reason=changes.reason)
    if changes.category is not None and changes.category.value != complaint.category:
        previous, complaint.category = complaint.category, changes.category.value
        await _retime(session, complaint)
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="complaint.recategorized",
            actor=actor,
            data={"from": previous, "to": complaint.category, "reason": changes.reason},
        )
    if changes.tags is not None and sorted(set(changes.tags)) != sorted(complaint.tags):
        complaint.tags = sorted(set(changes.tags))
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="complaint.tagged",
            actor=actor,
            data={"tags": complaint.tags},
        )


async def _bulk_targets(
    session: AsyncSession, principal: Principal, body: BulkIn, limit: int
) -> Sequence[Complaint]:
    f = body.filter
    where = repository.ComplaintFilter(
        status=[s.value for s in f.status],
        category=[c.value for c in f.category],
        urgency=[u.value for u in f.urgency],
        department=f.department,
        assignee_id=f.assignee_id,
        ids=f.ids,
        visible_departments=principal.visible_departments,
    )
    query = repository.apply_filter(select(Complaint), where).order_by(Complaint.id).limit(limit + 1)
    # Complaints another request is editing right now are skipped, not waited for.
    return (await session.scalars(query.with_for_update(skip_locked=True))).all()


async def bulk(session: AsyncSession, principal: Principal, body: BulkIn, *, limit: int) -> BulkOut:
    """Each complaint goes through the same rules as one at a time; what cannot change is reported."""
    f = body.filter
    if not (f.ids or f.status or f.category or f.urgency or f.department or f.assignee_id):
        raise UnprocessableContent(
            "A bulk action needs at least one filter condition.",
            errors=[FieldError(loc=["body", "filter"], msg="no condition", type="empty_filter")],
        )
    required = {"reassign": "assignee_id", "change_urgency": "urgency"}.get(body.action)
    if required and getattr(body, required) is None:
        raise UnprocessableContent(
            f"`{body.action}` needs `{required}`.",
            errors=[FieldError(loc=["body", required], msg="required for this action", type="missing")],
        )
    rows = await _bulk_targets(session, principal, body, limit)
    targets = rows[:limit]
    changed, skipped = 0, []
    for complaint in targets:
        try:
            async with session.begin_nested():
                if body.action == "reassign":
                    assert body.assignee_id is not None
                    before = complaint.assignee_id
                    await assign(
                        session, principal, complaint, assignee_id=body.assignee_id, note=body.reason
                    )
                    did = complaint.assignee_id != before
                elif body.action == "change_urgency":
                    assert body.urgency is not None
                    did = await change_urgency(
                        session, complaint, body.urgency, actor=principal.actor, reason=body.reason
                    )
                else:
                    await lifecycle.close(
                        session, complaint, actor=principal.actor, reason=body.reason, administrative=True
                    )
                    did = True
        except ProblemError as exc:
            skipped.append(BulkSkip(id=complaint.id, reason=exc.detail or exc.title))
            continue
        changed += did
        if not did:
            skipped.append(BulkSkip(id=complaint.id, reason="already so"))
    return BulkOut(matched=len(targets), changed=changed, skipped=skipped, truncated=len(rows) > limit)
