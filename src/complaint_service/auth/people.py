"""People as principals: signing in with a password, and mapping token claims to a known person."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.passwords import verify_password
from complaint_service.auth.scopes import PERSON_SCOPES, Principal, Role, Scope
from complaint_service.models import Agent
from complaint_service.models.enums import Department
from complaint_service.settings import AuthConfig


def principal_for(person: Agent) -> Principal:
    role = Role(person.role)
    scopes = {Scope.complaints_read.value, *(s for s in person.scopes if s in PERSON_SCOPES)}
    if role is Role.admin:
        scopes.add(Scope.admin.value)
    return Principal(
        key_id=str(person.id),
        name=person.name,
        scopes=frozenset(scopes),
        user_id=person.id,
        role=role,
        departments=frozenset(person.departments),
    )


async def sign_in(session: AsyncSession, *, email: str, password: str) -> Agent | None:
    person = await session.scalar(select(Agent).where(func.lower(Agent.email) == email.strip().lower()))
    ok = await verify_password(person.password_hash if person else None, password)
    if person is None or not ok or person.disabled_at is not None:
        return None
    return person


async def person_for_local_token(session: AsyncSession, claims: dict[str, Any]) -> Agent | None:
    """Re-read on every request: a disabled person or a changed role takes effect at once."""
    try:
        person_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        return None
    person = await session.get(Agent, person_id)
    return person if person is not None and person.disabled_at is None else None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return []


def _role_from(claims: dict[str, Any], config: AuthConfig) -> Role:
    """The highest of the mapped roles; a person the IdP gives no role of ours is an agent."""
    names = [config.role_map.get(name, name) for name in _as_list(claims.get(config.role_claim))]
    roles = [Role(name) for name in names if name in Role.__members__]
    return max(roles, key=list(Role).index, default=Role.agent)


async def person_for_external_token(
    session: AsyncSession, claims: dict[str, Any], config: AuthConfig
) -> Agent | None:
    """Provisioned on first sight and kept in step with the IdP, which owns role and departments."""
    subject = f"{claims['iss']}|{claims['sub']}"
    role = _role_from(claims, config).value
    departments = sorted(
        {d for d in _as_list(claims.get(config.departments_claim)) if d in Department.__members__}
    )
    person = await session.scalar(select(Agent).where(Agent.external_subject == subject))
    if person is None:
        email = claims.get(config.email_claim)
        person = Agent(
            name=str(claims.get(config.name_claim) or claims["sub"])[:200],
            email=None if await _email_taken(session, email) else email,
            role=role,
            departments=departments,
            external_subject=subject,
            capacity=10,
        )
        session.add(person)
        await session.flush()
        return person
    if person.disabled_at is not None:
        return None
    if person.role != role or sorted(person.departments) != departments:
        person.role, person.departments = role, departments
        await session.flush()
    return person


async def _email_taken(session: AsyncSession, email: object) -> bool:
    if not isinstance(email, str):
        return True
    return (
        await session.scalar(select(Agent.id).where(func.lower(Agent.email) == email.lower()))
    ) is not None
