"""Triage: classify, route and start the clocks of one complaint, recording every reason."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from complaint_service.abuse import service as abuse_service
from complaint_service.complaints import timeline
from complaint_service.core import config_cache
from complaint_service.core.clock import utcnow
from complaint_service.incidents import service as incidents_service
from complaint_service.matters import service as matters_service
from complaint_service.models import Complaint, Customer, Department, TriageRuleSet
from complaint_service.models.enums import ComplaintFlag, ComplaintStatus, CustomerTier
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import service as routing_service
from complaint_service.sla import service as sla_service
from complaint_service.triage import acknowledgement
from complaint_service.triage.classifier import Decision, classify
from complaint_service.triage.rules import RuleSet, load_default_rules

ACTOR = "system:triage"
DEFAULT_MIN_CONFIDENCE = 0.4


async def _load_rules(session: AsyncSession) -> tuple[RuleSet, float]:
    row = await session.scalar(select(TriageRuleSet).order_by(TriageRuleSet.version.desc()).limit(1))
    if row is None:
        return load_default_rules(), DEFAULT_MIN_CONFIDENCE
    return RuleSet.from_json({"version": row.version, "rules": row.rules}), row.min_confidence


async def current_rules(session: AsyncSession) -> tuple[RuleSet, float]:
    """The newest stored rule set (compiled once per configuration generation), else the shipped defaults."""
    return await config_cache.cached(session, "triage_rules", _load_rules)


async def _departments(session: AsyncSession) -> dict[str, Department]:
    rows = (await session.scalars(select(Department))).all()
    return {d.key: d for d in config_cache.detached(session, list(rows))}


def _decision_data(decision: Decision) -> dict[str, object]:
    return {
        "category": decision.category.value,
        "urgency": decision.urgency.value,
        "confidence": round(decision.confidence, 3),
        "rule_version": decision.rule_version,
        "flags": list(decision.flags),
        "needs_review": decision.needs_review,
        "matches": [{"rule_id": m.rule_id, "phrase": m.phrase} for m in decision.matches],
        "reasons": list(decision.reasons),
    }


class Locked(NamedTuple):
    complaint: Complaint
    tier: str
    # False when the complaint's customer has no other complaint: the abuse limits, the open-ticket
    # and the repeat checks have nothing to compare it with (a sender without a customer: True).
    history: bool


_OTHER = aliased(Complaint)
# Built once: a statement reused with bound parameters skips SQLAlchemy's construction and cache-key
# work (an alias of the wide complaints table alone cost 5% of a triage's CPU when built per call).
_LOCK = (
    select(
        Complaint,
        Customer.tier,
        or_(
            Complaint.customer_id.is_(None),
            exists().where(_OTHER.customer_id == Complaint.customer_id, _OTHER.id != Complaint.id),
        ),
    )
    .outerjoin(Customer, Customer.id == Complaint.customer_id)
    .where(Complaint.id == bindparam("complaint_id"))
    .with_for_update(of=Complaint, skip_locked=True)
)


async def _lock(session: AsyncSession, complaint_id: uuid.UUID) -> Locked | None:
    """The complaint, locked (skipped when another worker holds it), with what triage asks of its customer."""
    row = (await session.execute(_LOCK, {"complaint_id": complaint_id})).one_or_none()
    return None if row is None else Locked(row[0], row[1] or CustomerTier.standard.value, row[2])


async def triage(session: AsyncSession, *, complaint_id: uuid.UUID) -> str:
    """Idempotent: the complaint row is locked and `triaged_at` decides whether there is work."""
    locked = await _lock(session, complaint_id)
    if locked is None:
        return "missing or being triaged"
    complaint, tier, history = locked
    if complaint.triaged_at is not None:
        return "already triaged"
    if await abuse_service.screen(session, complaint=complaint, history=history):
        return "held for abuse review"
    now = utcnow()
    if await matters_service.attach_to_open_matter(session, complaint=complaint, history=history):
        return "merged into an open complaint of the customer"
    # Announced here rather than at intake, so the intake request never waits on subscriber look-ups.
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="complaint.created",
        data={"reference": complaint.reference, "channel": complaint.channel},
    )
    rules, min_confidence = await current_rules(session)
    decision = classify(
        f"{complaint.subject or ''}\n{complaint.body}", rules=rules, tier=tier, min_confidence=min_confidence
    )
    flags = set(complaint.flags) | set(decision.flags)
    if decision.needs_review:
        flags.add(ComplaintFlag.needs_review.value)
    complaint.category, complaint.urgency = decision.category.value, decision.urgency.value
    complaint.flags = sorted(flags)
    complaint.status, complaint.triaged_at = ComplaintStatus.triaged.value, now
    data = _decision_data(decision)
    await timeline.record(
        session, complaint_id=complaint.id, type="complaint.triaged", actor=ACTOR, data=data
    )
    await incidents_service.link_or_detect(session, complaint=complaint)
    await matters_service.handle_repeat(session, complaint=complaint, history=history)

    route = await routing_service.choose_department(session, complaint=complaint, tier=tier, flags=flags)
    complaint.department, complaint.required_skills = route.department, list(route.required_skills)
    routed = {"department": route.department, "rule_id": route.rule_id, "rule": route.rule_name}
    await timeline.record(
        session, complaint_id=complaint.id, type="complaint.routed", actor=ACTOR, data=routed
    )
    await outbound_service.publish(
        session, complaint_id=complaint.id, event_type="complaint.triaged", data=data | routed
    )

    policy = await sla_service.policy_for(session, complaint=complaint, tier=tier)
    await sla_service.start_initial(session, complaint=complaint, policy=policy, now=now, actor=ACTOR)
    department = (await config_cache.cached(session, "departments", _departments)).get(route.department)
    if department is not None:
        await acknowledgement.send(session, complaint=complaint, department=department, now=now)
        # Last, so the department lock (held to commit) covers only picking and assigning.
        await routing_service.lock_department(session, route.department)
        await routing_service.assign(session, complaint=complaint, department=department, actor=ACTOR)
    return "triaged"
