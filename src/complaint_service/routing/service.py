"""Choosing a complaint's department by ordered rules, then an agent inside it."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.core import config_cache
from complaint_service.core.clock import utcnow
from complaint_service.models import Agent, Complaint, Department, RoutingRule
from complaint_service.models.enums import (
    AgentRole,
    AgentStatus,
    AssignmentStrategy,
    Category,
    ComplaintStatus,
)
from complaint_service.outbound import service as outbound_service
from complaint_service.routing.rules import rule_matches
from complaint_service.sla.calendar import BusinessCalendar

# Used when no routing rule matches at all (an operator deleted the catch-all): the taxonomy's home.
DEFAULT_DEPARTMENTS = {
    Category.product_defect: "tech",
    Category.payment_billing: "finance",
    Category.refund_return: "finance",
    Category.delivery_logistics: "logistics",
    Category.service_attitude: "customer_service",
    Category.account_security: "security",
    Category.privacy: "legal_compliance",
    Category.product_quality: "quality",
    Category.suggestion: "product",
    Category.other: "customer_service",
}
WORKING_ROLES = (AgentRole.agent.value, AgentRole.team_lead.value)
# An escalated complaint (a repeat of a repeat…) goes to someone senior when one is free.
SENIOR_ROLES = (AgentRole.team_lead.value, AgentRole.supervisor.value)


@dataclass(frozen=True)
class Route:
    department: str
    rule_id: str | None
    rule_name: str
    required_skills: tuple[str, ...]


async def _enabled_rules(session: AsyncSession) -> list[RoutingRule]:
    query = select(RoutingRule).where(RoutingRule.enabled).order_by(RoutingRule.position)
    return config_cache.detached(session, list((await session.scalars(query)).all()))


async def choose_department(
    session: AsyncSession, *, complaint: Complaint, tier: str, flags: Collection[str]
) -> Route:
    """A department set before routing (a repeat goes back to whoever handled it) is kept."""
    if complaint.department is not None:
        return Route(complaint.department, None, "chosen before routing", tuple(complaint.required_skills))
    rules = await config_cache.cached(session, "routing_rules", _enabled_rules)
    text = f"{complaint.subject or ''}\n{complaint.body}"
    for rule in rules:
        if rule_matches(
            rule.conditions,
            category=complaint.category,
            urgency=complaint.urgency,
            channel=complaint.channel,
            tier=tier,
            flags=flags,
            text=text,
        ):
            return Route(rule.department, str(rule.id), rule.name, tuple(rule.required_skills))
    fallback = DEFAULT_DEPARTMENTS.get(Category(complaint.category or Category.other), "customer_service")
    return Route(fallback, None, "built-in taxonomy default", ())


def _speaks(agent: Agent, language: str | None) -> bool:
    """No languages listed means any; otherwise an exact tag or the same primary subtag (zh ~ zh-Hans)."""
    if not agent.languages or language is None:
        return True
    primary = language.split("-", 1)[0]
    return any(lang == language or lang.split("-", 1)[0] == primary for lang in agent.languages)


def _on_shift(agent: Agent, department: Department, now: datetime) -> bool:
    return BusinessCalendar.from_spec(agent.schedule or department.calendar).is_open(now)


# Read by every assignment: built once (see triage.service._LOCK).
_WORKERS = select(Agent).where(
    Agent.status == AgentStatus.active.value,
    Agent.departments.contains(bindparam("departments")),
    Agent.role.in_(bindparam("roles", expanding=True)),
)


async def pick_agent(
    session: AsyncSession,
    *,
    department: Department,
    complaint: Complaint,
    now: datetime,
    roles: Sequence[str] = WORKING_ROLES,
) -> tuple[Agent, int] | None:
    """The next agent by the department's strategy, honouring shift, status, capacity, skills, language."""
    agents = (await session.scalars(_WORKERS, {"departments": [department.key], "roles": list(roles)})).all()
    needed = set(complaint.required_skills)
    eligible = [
        a
        for a in agents
        if needed <= set(a.skills) and _speaks(a, complaint.language) and _on_shift(a, department, now)
    ]
    free = [(a, a.open_count) for a in eligible if a.open_count < a.capacity]
    if not free:
        return None
    never = datetime.min.replace(tzinfo=now.tzinfo)
    if department.strategy == AssignmentStrategy.round_robin:
        return min(free, key=lambda pair: (pair[0].last_assigned_at or never, pair[0].id))
    return min(free, key=lambda pair: (pair[1] / max(pair[0].capacity, 1), pair[0].last_assigned_at or never))


_LOCK_DEPARTMENT = select(Department).where(Department.key == bindparam("key")).with_for_update()


async def lock_department(session: AsyncSession, key: str) -> Department | None:
    """Assignments in one department are serialised so two workers never overfill an agent."""
    return await session.scalar(_LOCK_DEPARTMENT, {"key": key})


async def assign(
    session: AsyncSession,
    *,
    complaint: Complaint,
    department: Department,
    actor: str,
    announce_queue: bool = True,
) -> Agent | None:
    """Assign to the best free agent (a senior one first when escalated), or leave it queued."""
    now = utcnow()
    picked = None
    if complaint.escalation_level > 0:
        picked = await pick_agent(
            session, department=department, complaint=complaint, now=now, roles=SENIOR_ROLES
        )
    picked = picked or await pick_agent(session, department=department, complaint=complaint, now=now)
    if picked is None and not announce_queue:
        return None
    if picked is None:
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="complaint.queued",
            actor=actor,
            data={"department": department.key, "reason": "no agent available"},
        )
        await outbound_service.publish(
            session,
            complaint_id=complaint.id,
            event_type="complaint.queued",
            data={"department": department.key},
        )
        return None
    agent, load = picked
    await hand_to(
        session,
        complaint=complaint,
        agent=agent,
        now=now,
        actor=actor,
        data={"department": department.key, "strategy": department.strategy, "load_before": load},
    )
    return agent


async def hand_to(
    session: AsyncSession,
    *,
    complaint: Complaint,
    agent: Agent,
    now: datetime,
    actor: str,
    data: dict[str, object],
) -> None:
    """Make `agent` the assignee, on the timeline and to subscribers."""
    previous = complaint.assignee_id
    complaint.assignee_id, complaint.assigned_at = agent.id, now
    if complaint.status in (ComplaintStatus.new.value, ComplaintStatus.triaged.value):
        complaint.status = ComplaintStatus.assigned.value
    # Bookkeeping, not edits: plain UPDATEs that leave the agents' versions (If-Match) alone.
    await session.execute(
        update(Agent)
        .where(Agent.id == agent.id)
        .values(last_assigned_at=now, open_count=Agent.open_count + 1)
    )
    if previous is not None and previous != agent.id:
        await release(session, agent_id=previous)
    payload = {"agent_id": str(agent.id), "agent_name": agent.name, "capacity": agent.capacity, **data}
    await timeline.record(
        session, complaint_id=complaint.id, type="complaint.assigned", actor=actor, data=payload
    )
    await outbound_service.publish(
        session, complaint_id=complaint.id, event_type="complaint.assigned", data=payload
    )


async def take(session: AsyncSession, *, agent_id: uuid.UUID) -> None:
    """A complaint came back to this agent (reopened): it holds one slot of capacity again."""
    await session.execute(update(Agent).where(Agent.id == agent_id).values(open_count=Agent.open_count + 1))


async def release(session: AsyncSession, *, agent_id: uuid.UUID) -> None:
    """An open complaint left this agent (reassigned, resolved, closed): one slot of capacity frees."""
    await session.execute(
        update(Agent)
        .where(Agent.id == agent_id, Agent.open_count > 0)
        .values(open_count=Agent.open_count - 1)
    )


async def drain(session: AsyncSession, *, department_key: str, limit: int = 100) -> int:
    """Assign queued complaints oldest first until nobody in the department is free."""
    department = await lock_department(session, department_key)
    if department is None:
        return 0
    queued = (
        await session.scalars(
            select(Complaint)
            .where(
                Complaint.department == department_key,
                Complaint.assignee_id.is_(None),
                Complaint.status == ComplaintStatus.triaged.value,
            )
            .order_by(Complaint.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    assigned = 0
    for complaint in queued:
        agent = await assign(
            session, complaint=complaint, department=department, actor="system:routing", announce_queue=False
        )
        if agent is None:
            break
        assigned += 1
    return assigned
