"""Admin API for departments, agents and routing rules; reads need `complaints:read`, writes `admin`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from complaint_service.auth.dependencies import Admin, Reader
from complaint_service.core.db import DbSession
from complaint_service.core.etags import IfMatch, etag
from complaint_service.core.openapi import ETAG_HEADER
from complaint_service.core.openapi import example_response as _example
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import NO_NUL, Page, decode_cursor, encode_cursor
from complaint_service.models import Agent, Department
from complaint_service.models.enums import AgentRole, AgentStatus
from complaint_service.routing import admin
from complaint_service.routing.schemas import (
    AGENT_EXAMPLE,
    DEPARTMENT_EXAMPLE,
    RULE_EXAMPLE,
    AgentCreate,
    AgentOut,
    AgentUpdate,
    DepartmentCreate,
    DepartmentOut,
    DepartmentUpdate,
    RoutingRuleOut,
    RoutingRulesIn,
    RoutingRulesOut,
)

router = APIRouter(prefix="/v1", tags=["routing"])
DepartmentKeyPath = Annotated[
    str, Path(max_length=64, pattern=NO_NUL, description="The department's key, e.g. `finance`.")
]
READ_PROBLEMS = problem_responses(401, 403, 503)
ITEM_PROBLEMS = problem_responses(401, 403, 404, 422, 503)


async def _department(session: DbSession, key: str) -> Department:
    department = await admin.get_department(session, key=key)
    if department is None:
        raise NotFound(f"No department {key!r}.")
    return department


async def _agent(session: DbSession, agent_id: uuid.UUID) -> Agent:
    agent = await admin.get_agent(session, agent_id=agent_id)
    if agent is None:
        raise NotFound(f"No agent {agent_id}.")
    return agent


def _agent_out(response: Response, agent: Agent) -> AgentOut:
    response.headers["ETag"] = etag(agent.version)
    return AgentOut.build(agent)


@router.get(
    "/departments",
    summary="List departments",
    description="All departments, ordered by key, on one page.",
    response_model=Page[DepartmentOut],
    responses={**_example({"items": [DEPARTMENT_EXAMPLE], "next_cursor": None}), **READ_PROBLEMS},
)
async def list_departments(session: DbSession, _: Reader) -> Page[DepartmentOut]:
    rows = await admin.list_departments(session)
    return Page[DepartmentOut](items=[DepartmentOut.model_validate(d) for d in rows])


@router.post(
    "/departments",
    summary="Create a department",
    description="The key is permanent: rules, agents and complaints refer to it. A taken key is a 409.",
    status_code=status.HTTP_201_CREATED,
    response_model=DepartmentOut,
    responses={
        **_example(DEPARTMENT_EXAMPLE, status=201),
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
)
async def create_department(
    session: DbSession, _: Admin, body: DepartmentCreate, response: Response
) -> DepartmentOut:
    department = await admin.create_department(session, data=body)
    response.headers["Location"] = f"/v1/departments/{department.key}"
    return DepartmentOut.model_validate(department)


@router.get(
    "/departments/{key}",
    summary="Get one department",
    response_model=DepartmentOut,
    responses={**_example(DEPARTMENT_EXAMPLE), **ITEM_PROBLEMS},
)
async def get_department(session: DbSession, _: Reader, key: DepartmentKeyPath) -> DepartmentOut:
    return DepartmentOut.model_validate(await _department(session, key))


@router.patch(
    "/departments/{key}",
    summary="Change a department's name, strategy or working hours",
    description="Only the fields sent change. New working hours apply to SLA clocks started afterwards.",
    response_model=DepartmentOut,
    responses={**_example(DEPARTMENT_EXAMPLE), **problem_responses(401, 403, 404, 413, 422, 503)},
)
async def update_department(
    session: DbSession, _: Admin, key: DepartmentKeyPath, body: DepartmentUpdate
) -> DepartmentOut:
    department = await admin.update_department(
        session, department=await _department(session, key), changes=body
    )
    return DepartmentOut.model_validate(department)


@router.get(
    "/agents",
    summary="List agents",
    description="Ordered by id; filters combine with AND. Pass `next_cursor` back as `cursor` for more.",
    response_model=Page[AgentOut],
    responses={
        **_example({"items": [AGENT_EXAMPLE], "next_cursor": "AZOlwn8xcACAAAArPE1ecA"}),
        **problem_responses(400, 401, 403, 422, 503),
    },
)
async def list_agents(
    session: DbSession,
    _: Reader,
    department: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="Agents of this department.")
    ] = None,
    status: AgentStatus | None = None,
    role: AgentRole | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[AgentOut]:
    rows = await admin.list_agents(
        session,
        department=department,
        status=status,
        role=role.value if role else None,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    return Page[AgentOut](
        items=[AgentOut.build(a) for a in rows],
        next_cursor=encode_cursor(rows[-1].id) if len(rows) == limit else None,
    )


@router.post(
    "/agents",
    summary="Create an agent",
    description="Every department must exist. An active agent with capacity starts taking queued complaints "
    "of their departments right after the commit.",
    status_code=status.HTTP_201_CREATED,
    response_model=AgentOut,
    responses={
        **_example(AGENT_EXAMPLE, status=201, headers=ETAG_HEADER),
        **problem_responses(401, 403, 409, 413, 422, 503),
    },
)
async def create_agent(session: DbSession, _: Admin, body: AgentCreate, response: Response) -> AgentOut:
    agent = await admin.create_agent(session, data=body)
    response.headers["Location"] = f"/v1/agents/{agent.id}"
    return _agent_out(response, agent)


@router.get(
    "/agents/{agent_id}",
    summary="Get one agent",
    response_model=AgentOut,
    responses={**_example(AGENT_EXAMPLE, headers=ETAG_HEADER), **ITEM_PROBLEMS},
)
async def get_agent(session: DbSession, _: Reader, agent_id: uuid.UUID, response: Response) -> AgentOut:
    return _agent_out(response, await _agent(session, agent_id))


@router.patch(
    "/agents/{agent_id}",
    summary="Change an agent",
    description="Only the fields sent change; `email` and `schedule` may be set to null. Send the `ETag` "
    "you read as `If-Match` to refuse the change (412) when someone else changed the agent first. "
    "Going active, more capacity, new departments, skills or shifts let queued complaints reach the agent.",
    response_model=AgentOut,
    responses={
        **_example(AGENT_EXAMPLE, headers=ETAG_HEADER),
        **problem_responses(401, 403, 404, 409, 412, 413, 422, 503),
    },
)
async def update_agent(
    session: DbSession,
    _: Admin,
    agent_id: uuid.UUID,
    body: AgentUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> AgentOut:
    agent = await admin.update_agent(
        session, agent=await _agent(session, agent_id), changes=body, if_match=if_match
    )
    return _agent_out(response, agent)


@router.get(
    "/routing/rules",
    summary="List routing rules in the order they are tried",
    description="The first enabled rule whose conditions all hold picks a complaint's department.",
    response_model=RoutingRulesOut,
    responses={**_example({"rules": [RULE_EXAMPLE]}), **READ_PROBLEMS},
)
async def list_rules(session: DbSession, _: Reader) -> RoutingRulesOut:
    rows = await admin.list_rules(session)
    return RoutingRulesOut(rules=[RoutingRuleOut.model_validate(r) for r in rows])


@router.put(
    "/routing/rules",
    summary="Replace the routing rules",
    description="The list sent becomes the whole rule list, in its order (positions 10, 20, 30…), in one "
    "transaction: routing sees either the old list or the new one. End with a rule without conditions "
    "so every complaint finds a department.",
    response_model=RoutingRulesOut,
    responses={**_example({"rules": [RULE_EXAMPLE]}), **problem_responses(401, 403, 413, 422, 503)},
)
async def replace_rules(session: DbSession, _: Admin, body: RoutingRulesIn) -> RoutingRulesOut:
    rows = await admin.replace_rules(session, rules=body.rules)
    return RoutingRulesOut(rules=[RoutingRuleOut.model_validate(r) for r in rows])
