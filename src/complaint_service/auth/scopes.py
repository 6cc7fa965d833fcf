"""What a caller may do: API key scopes, and people's roles and departments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from complaint_service.models.enums import AgentRole, Channel


class Scope(StrEnum):
    intake_all = "intake:*"
    complaints_read = "complaints:read"
    pii_read = "pii:read"
    admin = "admin"


Role = AgentRole
ROLE_RANK = {role: rank for rank, role in enumerate(AgentRole)}
# Grants a person may hold besides their role; the role decides everything else.
PERSON_SCOPES = frozenset({Scope.pii_read.value})


def intake_scope(channel: Channel) -> str:
    return f"intake:{channel.value}"


def valid_scopes() -> set[str]:
    return {s.value for s in Scope} | {intake_scope(c) for c in Channel}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: an API key (no role) or a person (role and departments).

    `admin` implies every scope. A person's reach is their departments, unless their role is
    supervisor or above; an API key with `complaints:read` is an integration and reaches all.
    """

    key_id: str
    name: str
    scopes: frozenset[str]
    user_id: uuid.UUID | None = None
    role: Role | None = None
    departments: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"api_key:{self.name}"

    def has(self, scope: str) -> bool:
        return Scope.admin in self.scopes or scope in self.scopes

    def can_intake(self, channel: Channel) -> bool:
        return self.has(Scope.intake_all) or self.has(intake_scope(channel))

    @property
    def sees_pii(self) -> bool:
        return self.has(Scope.pii_read)

    def at_least(self, role: Role) -> bool:
        if self.role is None:
            return Scope.admin in self.scopes
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def sees_all_departments(self) -> bool:
        if self.role is None:
            return self.has(Scope.complaints_read)
        return self.at_least(Role.supervisor)

    def can_access(self, department: str | None) -> bool:
        """Unrouted complaints (no department yet) are for those who see everything."""
        return self.sees_all_departments or (department is not None and department in self.departments)

    @property
    def visible_departments(self) -> list[str] | None:
        """None: no restriction; otherwise the departments a list must be limited to."""
        return None if self.sees_all_departments else sorted(self.departments)
