"""Managing departments, agents and the routing rule list; the edge commits, these only flush."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.passwords import hash_password
from complaint_service.core.clock import utcnow
from complaint_service.core.etags import check_if_match, flush_versioned
from complaint_service.core.jobs import enqueue_after_commit
from complaint_service.core.problems import Conflict, FieldError, UnprocessableContent
from complaint_service.models import Agent, Department, RoutingRule
from complaint_service.models.enums import AgentStatus
from complaint_service.routing.schemas import (
    AgentCreate,
    AgentUpdate,
    DepartmentCreate,
    DepartmentUpdate,
    RoutingRuleIn,
)

DRAIN_JOB = "routing.drain"
POSITION_STEP = 10
UNIQUE_VIOLATION = "23505"


async def list_departments(session: AsyncSession) -> Sequence[Department]:
    return (await session.scalars(select(Department).order_by(Department.key))).all()


async def get_department(session: AsyncSession, *, key: str) -> Department | None:
    return await session.scalar(select(Department).where(Department.key == key))


async def create_department(session: AsyncSession, *, data: DepartmentCreate) -> Department:
    department = Department(
        key=data.key,
        name=data.name,
        strategy=data.strategy.value,
        calendar=data.calendar.model_dump(mode="json"),
    )
    session.add(department)
    try:
        await session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            raise Conflict(f"A department with key {data.key!r} already exists.") from exc
        raise
    await session.refresh(department)
    return department


async def update_department(
    session: AsyncSession, *, department: Department, changes: DepartmentUpdate
) -> Department:
    if changes.name is not None:
        department.name = changes.name
    if changes.strategy is not None:
        department.strategy = changes.strategy.value
    if changes.calendar is not None and changes.calendar.model_dump(mode="json") != department.calendar:
        department.calendar = changes.calendar.model_dump(mode="json")
        # Agents without their own schedule work the department's hours: new hours may open shifts.
        enqueue_after_commit(session, DRAIN_JOB, department.key)
    await session.flush()
    await session.refresh(department)
    return department


async def _require_departments(session: AsyncSession, named: Sequence[tuple[list[str | int], str]]) -> None:
    """Rules and agents name departments by key without a foreign key, so unknown keys are refused here.

    `named` pairs each key with where it sits in the body, so the field error points at it.
    """
    keys = {key for _, key in named}
    known = set((await session.scalars(select(Department.key).where(Department.key.in_(keys)))).all())
    errors = [
        FieldError(loc=loc, msg=f"Unknown department {key!r}.", type="unknown_department")
        for loc, key in named
        if key not in known
    ]
    if errors:
        raise UnprocessableContent("Every department named must exist; see errors.", errors=errors)


async def list_agents(
    session: AsyncSession,
    *,
    department: str | None,
    status: AgentStatus | None,
    role: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Agent]:
    query = select(Agent).order_by(Agent.id).limit(limit)
    if department is not None:
        query = query.where(Agent.departments.contains([department]))
    if status is not None:
        query = query.where(Agent.status == status.value)
    if role is not None:
        query = query.where(Agent.role == role)
    if after is not None:
        query = query.where(Agent.id > after)
    return (await session.scalars(query)).all()


async def get_agent(session: AsyncSession, *, agent_id: uuid.UUID) -> Agent | None:
    return await session.get(Agent, agent_id)


def _drain(session: AsyncSession, agent: Agent) -> None:
    """Queued complaints wait for capacity; a change that may add some asks each department to drain."""
    if agent.status != AgentStatus.active or agent.capacity <= 0:
        return
    for key in agent.departments:
        enqueue_after_commit(session, DRAIN_JOB, key)


def _may_take_more(agent: Agent, changes: AgentUpdate) -> bool:
    """Whether the change may let the agent take queued work they could not take before."""
    return (
        (changes.status == AgentStatus.active and agent.status != AgentStatus.active)
        or (changes.capacity is not None and changes.capacity > agent.capacity)
        or (changes.role is not None and changes.role != agent.role)
        or (changes.departments is not None and not set(changes.departments) <= set(agent.departments))
        or (changes.skills is not None and not set(changes.skills) <= set(agent.skills))
        or (changes.languages is not None and changes.languages != agent.languages)
        or ("schedule" in changes.model_fields_set and changes.schedule_spec() != agent.schedule)
    )


async def _flush_person(session: AsyncSession, *, email: str | None, versioned: bool = False) -> None:
    """E-mail is the sign-in name, so two people cannot share one."""
    try:
        await (flush_versioned(session) if versioned else session.flush())
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            raise Conflict(f"Another person already signs in as {email!r}.") from exc
        raise


async def create_agent(session: AsyncSession, *, data: AgentCreate) -> Agent:
    await _require_departments(
        session, [(["body", "departments", i], key) for i, key in enumerate(data.departments)]
    )
    agent = Agent(
        name=data.name,
        email=data.email,
        role=data.role.value,
        departments=data.departments,
        skills=data.skills,
        languages=data.languages,
        capacity=data.capacity,
        schedule=data.schedule_spec(),
        status=data.status.value,
        scopes=list[str](data.scopes),
        password_hash=await hash_password(data.password) if data.password else None,
    )
    session.add(agent)
    await _flush_person(session, email=data.email)
    await session.refresh(agent)
    _drain(session, agent)
    return agent


async def update_agent(
    session: AsyncSession, *, agent: Agent, changes: AgentUpdate, if_match: str | None
) -> Agent:
    check_if_match(if_match, version=agent.version)
    sent = changes.model_fields_set
    if changes.departments is not None:
        await _require_departments(
            session, [(["body", "departments", i], key) for i, key in enumerate(changes.departments)]
        )
    may_take_more = _may_take_more(agent, changes)
    if changes.name is not None:
        agent.name = changes.name
    if "email" in sent:
        agent.email = changes.email
    if changes.role is not None:
        agent.role = changes.role.value
    if changes.departments is not None:
        agent.departments = changes.departments
    if changes.skills is not None:
        agent.skills = changes.skills
    if changes.languages is not None:
        agent.languages = changes.languages
    if changes.capacity is not None:
        agent.capacity = changes.capacity
    if "schedule" in sent:
        agent.schedule = changes.schedule_spec()
    if changes.status is not None:
        agent.status = changes.status.value
    if changes.scopes is not None:
        agent.scopes = list[str](changes.scopes)
    if changes.password is not None:
        agent.password_hash = await hash_password(changes.password)
    if changes.disabled is not None:
        agent.disabled_at = (agent.disabled_at or utcnow()) if changes.disabled else None
    await _flush_person(session, email=changes.email, versioned=True)
    await session.refresh(agent)
    if may_take_more:
        _drain(session, agent)
    return agent


async def list_rules(session: AsyncSession) -> Sequence[RoutingRule]:
    query = select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
    # populate_existing: rows just inserted in this session get their server-side timestamps.
    return (await session.scalars(query.execution_options(populate_existing=True))).all()


async def replace_rules(session: AsyncSession, *, rules: Sequence[RoutingRuleIn]) -> Sequence[RoutingRule]:
    """Swap the whole list in one transaction; routing reads the old list until the commit.

    The table lock serialises concurrent replacements: without it, two replacements could both
    delete the old rows and both insert, leaving the two lists interleaved.
    """
    await _require_departments(
        session, [(["body", "rules", i, "department"], rule.department) for i, rule in enumerate(rules)]
    )
    await session.execute(text("LOCK TABLE routing_rules IN EXCLUSIVE MODE"))
    await session.execute(delete(RoutingRule))
    session.add_all(
        RoutingRule(
            position=(index + 1) * POSITION_STEP,
            name=rule.name,
            conditions=rule.conditions.stored(),
            department=rule.department,
            required_skills=rule.required_skills,
            enabled=rule.enabled,
        )
        for index, rule in enumerate(rules)
    )
    await session.flush()
    return await list_rules(session)
