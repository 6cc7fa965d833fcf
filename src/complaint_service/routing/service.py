"""Choosing a complaint's department by ordered rules, then an agent inside it."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, Text, bindparam, event, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from complaint_service.complaints import timeline
from complaint_service.core import config_cache
from complaint_service.core.clock import utcnow
from complaint_service.core.db import table_of
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


@dataclass
class _Load:
    """What this unit of work did to one person's load: written at commit (see `_write_loads`)."""

    delta: int = 0
    assigned_at: datetime | None = None
    order: int = -1  # the how-many-th assignment of the unit of work, so ties break in turn


_LOADS = "agent_loads"


def _loads(session: AsyncSession | Session) -> dict[uuid.UUID, _Load]:
    loads: dict[uuid.UUID, _Load] = session.info.setdefault(_LOADS, {})
    return loads


def _count(
    session: AsyncSession, agent_id: uuid.UUID, delta: int, assigned_at: datetime | None = None
) -> None:
    loads = _loads(session)
    load = loads.setdefault(agent_id, _Load())
    load.delta += delta
    if assigned_at is not None:
        load.assigned_at, load.order = assigned_at, max((x.order for x in loads.values()), default=-1) + 1


_AGENTS = table_of(Agent)
# Bookkeeping, not edits: plain UPDATEs that leave the agents' versions (If-Match) alone.
_WRITE_LOAD = (
    update(_AGENTS)
    .where(_AGENTS.c.id == bindparam("agent_id"))
    .values(
        open_count=func.greatest(_AGENTS.c.open_count + bindparam("delta", type_=Integer), 0),
        last_assigned_at=func.coalesce(
            bindparam("assigned_at", type_=DateTime(timezone=True)), _AGENTS.c.last_assigned_at
        ),
    )
)


@event.listens_for(Session, "before_commit")
def _write_loads(session: Session) -> None:
    """One executemany in agent order: a batch that assigned many people locks their rows in the same
    order as every other, so two of them never wait on each other in a cycle."""
    loads: dict[uuid.UUID, _Load] | None = session.info.pop(_LOADS, None)
    if loads:
        rows = [
            {"agent_id": agent_id, "delta": load.delta, "assigned_at": load.assigned_at}
            for agent_id, load in sorted(loads.items())
            if load.delta or load.assigned_at
        ]
        if rows:
            session.execute(_WRITE_LOAD, rows)


@event.listens_for(Session, "after_rollback")
def _drop_loads(session: Session) -> None:
    session.info.pop(_LOADS, None)


@dataclass(frozen=True)
class _Candidate:
    agent: Agent
    load: int
    last: datetime
    order: int


@dataclass(frozen=True)
class Roster:
    """A department's active people, read once for a unit of work: every assignment it makes picks from
    here, with each person's load as this unit of work left it."""

    department: Department
    people: tuple[Agent, ...]
    on_shift: frozenset[uuid.UUID]

    @classmethod
    def of(cls, department: Department, people: Sequence[Agent], now: datetime) -> Roster:
        """Shifts are evaluated once, at `now`: a batch is assigned at one instant."""
        shift = frozenset(
            p.id for p in people if BusinessCalendar.from_spec(p.schedule or department.calendar).is_open(now)
        )
        return cls(department, tuple(p for p in people if department.key in p.departments), shift)

    def pick(
        self, session: AsyncSession, *, complaint: Complaint, roles: Collection[str] = WORKING_ROLES
    ) -> tuple[Agent, int] | None:
        """The next person by the department's strategy, honouring shift, role, capacity, skills, language."""
        loads = _loads(session)
        needed = set(complaint.required_skills)
        never = datetime.min.replace(tzinfo=UTC)
        free: list[_Candidate] = []
        for agent in self.people:
            if agent.role not in roles or agent.id not in self.on_shift:
                continue
            if not needed <= set(agent.skills) or not _speaks(agent, complaint.language):
                continue
            mine = loads.get(agent.id) or _Load()
            load = agent.open_count + mine.delta
            if load < agent.capacity:
                last = mine.assigned_at or agent.last_assigned_at or never
                free.append(_Candidate(agent, load, last, mine.order))
        if not free:
            return None
        if self.department.strategy == AssignmentStrategy.round_robin:
            chosen = min(free, key=lambda c: (c.last, c.order, c.agent.id))
        else:
            chosen = min(free, key=lambda c: (c.load / max(c.agent.capacity, 1), c.last, c.order, c.agent.id))
        return chosen.agent, chosen.load


# Built once (see triage.service._LOCK). Departments are locked in key order, so units of work that
# assign in several departments never wait on each other in a cycle.
_LOCK_DEPARTMENTS = (
    select(Department)
    .where(Department.key.in_(bindparam("keys", expanding=True)))
    .order_by(Department.key)
    .with_for_update()
)
_PEOPLE = select(Agent).where(
    Agent.status == AgentStatus.active.value,
    Agent.departments.overlap(bindparam("keys", type_=ARRAY(Text))),
)


async def lock_rosters(session: AsyncSession, keys: Collection[str], *, now: datetime) -> dict[str, Roster]:
    """Lock the departments (held to commit: assignments in one department are serialised, so two
    workers never overfill a person) and read their people in one query."""
    if not keys:
        return {}
    departments = (await session.scalars(_LOCK_DEPARTMENTS, {"keys": sorted(keys)})).all()
    if not departments:
        return {}
    people = (await session.scalars(_PEOPLE, {"keys": [d.key for d in departments]})).all()
    return {d.key: Roster.of(d, people, now) for d in departments}


async def lock_department(session: AsyncSession, key: str) -> Department | None:
    """Assignments in one department are serialised so two workers never overfill an agent."""
    return await session.scalar(_LOCK_DEPARTMENTS, {"keys": [key]})


async def pick_agent(
    session: AsyncSession,
    *,
    department: Department,
    complaint: Complaint,
    now: datetime,
    roles: Sequence[str] = WORKING_ROLES,
) -> tuple[Agent, int] | None:
    """One pick in a department the caller has locked (an escalation, a second handling)."""
    people = (await session.scalars(_PEOPLE, {"keys": [department.key]})).all()
    return Roster.of(department, people, now).pick(session, complaint=complaint, roles=roles)


async def _assign(
    session: AsyncSession,
    roster: Roster,
    *,
    complaint: Complaint,
    now: datetime,
    actor: str,
    announce_queue: bool,
) -> Agent | None:
    """Assign to the best free agent (a senior one first when escalated), or leave it queued."""
    picked = None
    if complaint.escalation_level > 0:
        picked = roster.pick(session, complaint=complaint, roles=SENIOR_ROLES)
    picked = picked or roster.pick(session, complaint=complaint)
    department = roster.department
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


async def assign_many(
    session: AsyncSession, *, items: Sequence[tuple[Complaint, str]], actor: str
) -> list[Agent | None]:
    """Assign each complaint in its department (key), in order; the departments are locked together
    and their people read once. A complaint nobody can take now waits in its department's queue."""
    now = utcnow()
    rosters = await lock_rosters(session, {key for _, key in items}, now=now)
    assigned: list[Agent | None] = []
    for complaint, key in items:
        roster = rosters.get(key)
        assigned.append(
            None
            if roster is None
            else await _assign(
                session, roster, complaint=complaint, now=now, actor=actor, announce_queue=True
            )
        )
    return assigned


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
    _count(session, agent.id, +1, assigned_at=now)
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
    _count(session, agent_id, +1)


async def release(session: AsyncSession, *, agent_id: uuid.UUID) -> None:
    """An open complaint left this agent (reassigned, resolved, closed): one slot of capacity frees."""
    _count(session, agent_id, -1)


async def drain(session: AsyncSession, *, department_key: str, limit: int = 100) -> int:
    """Assign queued complaints oldest first until nobody in the department is free."""
    now = utcnow()
    roster = (await lock_rosters(session, [department_key], now=now)).get(department_key)
    if roster is None:
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
        agent = await _assign(
            session, roster, complaint=complaint, now=now, actor="system:routing", announce_queue=False
        )
        if agent is None:
            break
        assigned += 1
    return assigned
