"""Triage: classify, route and start the clocks of one complaint, recording every reason."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

import structlog
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from complaint_service.abuse import service as abuse_service
from complaint_service.complaints import timeline
from complaint_service.core import config_cache
from complaint_service.core.clock import utcnow
from complaint_service.core.db import update_locked
from complaint_service.incidents import service as incidents_service
from complaint_service.logging import current_request_id
from complaint_service.matters import service as matters_service
from complaint_service.models import Complaint, Customer, Department, SenderBlock, TriageRuleSet
from complaint_service.models.enums import ComplaintFlag, ComplaintStatus, CustomerTier
from complaint_service.outbound import service as outbound_service
from complaint_service.routing import service as routing_service
from complaint_service.sla import service as sla_service
from complaint_service.sla.policy import EffectivePolicy
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


class _Routed(NamedTuple):
    """A classified complaint on its way to a department: what the batch's last steps need."""

    complaint: Complaint
    policy: EffectivePolicy
    department: Department | None


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
    .where(Complaint.id.in_(bindparam("complaint_ids", expanding=True)))
    .order_by(Complaint.id)
    .with_for_update(of=Complaint, skip_locked=True)
)


async def _lock(session: AsyncSession, complaint_ids: Sequence[uuid.UUID]) -> list[Locked]:
    """The complaints, locked in id order (those another worker holds are skipped), with what triage
    asks of each one's customer."""
    rows = await session.execute(_LOCK, {"complaint_ids": sorted(set(complaint_ids))})
    return [Locked(row[0], row[1] or CustomerTier.standard.value, row[2]) for row in rows]


async def triage(session: AsyncSession, *, complaint_id: uuid.UUID) -> str:
    """One complaint; see `triage_many`."""
    return (await triage_many(session, complaint_ids=[complaint_id]))[complaint_id]


async def triage_many(
    session: AsyncSession,
    *,
    complaint_ids: Sequence[uuid.UUID],
    request_ids: Mapping[uuid.UUID, str | None] | None = None,
) -> dict[uuid.UUID, str]:
    """Classify, route, start the clocks of and assign complaints, in one unit of work; the outcome of each.

    Idempotent: the complaint rows are locked and `triaged_at` decides whether there is work. A worker
    triages the complaints whose jobs arrived together in one batch: the steps that read or write the
    database do it once for the batch (locks, live blocks, candidates, clocks, acknowledgements, the
    departments and their people, the timeline), so a complaint costs a fraction of a transaction.
    Complaints are handled in creation order, each seeing what was decided for the earlier ones.
    """
    outcomes = dict.fromkeys(complaint_ids, "missing or being triaged")
    # Each complaint's events and log lines carry the request that caused it (one job: the bound one).
    causes = (
        dict(request_ids) if request_ids is not None else dict.fromkeys(complaint_ids, current_request_id())
    )
    session.info[timeline.REQUEST_IDS] = causes
    locked = []
    for item in await _lock(session, complaint_ids):
        if item.complaint.triaged_at is None:
            locked.append(item)
        else:
            outcomes[item.complaint.id] = "already triaged"
    if not locked:
        return outcomes
    now = utcnow()
    blocks = await abuse_service.live_blocks(session, [item.complaint for item in locked])
    rules, min_confidence = await current_rules(session)
    # Decided up front (the text alone decides): the detector then reads the batch's categories at once.
    decisions = {
        item.complaint.id: classify(
            f"{item.complaint.subject or ''}\n{item.complaint.body}",
            rules=rules,
            tier=item.tier,
            min_confidence=min_confidence,
        )
        for item in locked
    }
    detector = incidents_service.Detector(
        session, categories={decision.category.value for decision in decisions.values()}
    )
    routed: list[_Routed] = []
    for item in locked:
        complaint = item.complaint
        with structlog.contextvars.bound_contextvars(request_id=causes.get(complaint.id)):
            outcome = await _classify_and_route(
                session, item, decisions[complaint.id], blocks=blocks, detector=detector, now=now
            )
        if isinstance(outcome, str):
            outcomes[complaint.id] = outcome
        else:
            routed.append(outcome)
            outcomes[complaint.id] = "triaged"
    await detector.flush()
    await sla_service.start_initial_many(
        session, items=[(r.complaint, r.policy) for r in routed], now=now, actor=ACTOR
    )
    staffed = [(r.complaint, r.department) for r in routed if r.department is not None]
    await acknowledgement.send_many(session, items=staffed, now=now)
    # Last, so the departments' locks (held to commit) cover only picking and assigning.
    await routing_service.assign_many(
        session, items=[(complaint, department.key) for complaint, department in staffed], actor=ACTOR
    )
    await update_locked(session, [item.complaint for item in locked], now=now)
    return outcomes


async def _classify_and_route(
    session: AsyncSession,
    item: Locked,
    decision: Decision,
    *,
    blocks: Mapping[str, SenderBlock],
    detector: incidents_service.Detector,
    now: datetime,
) -> _Routed | str:
    """Everything triage decides about one complaint; a string says why it stopped early."""
    complaint, tier, history = item
    if await abuse_service.screen(session, complaint=complaint, history=history, blocks=blocks):
        return "held for abuse review"
    if history:
        # The customer's other complaints may be earlier ones of this batch: they are compared, and may
        # be merged into, as stored, so what was decided for them is written first.
        await session.flush()
    if await matters_service.attach_to_open_matter(session, complaint=complaint, history=history):
        return "merged into an open complaint of the customer"
    # Announced here rather than at intake, so the intake request never waits on subscriber look-ups.
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="complaint.created",
        data={"reference": complaint.reference, "channel": complaint.channel},
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
    await detector.link_or_detect(complaint)
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
    department = (await config_cache.cached(session, "departments", _departments)).get(route.department)
    return _Routed(complaint, policy, department)
