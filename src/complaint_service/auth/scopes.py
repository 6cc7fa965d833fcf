"""API key scopes: what a credential may do, checked per route."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from complaint_service.models.enums import Channel


class Scope(StrEnum):
    intake_all = "intake:*"
    complaints_read = "complaints:read"
    pii_read = "pii:read"
    admin = "admin"


def intake_scope(channel: Channel) -> str:
    return f"intake:{channel.value}"


def valid_scopes() -> set[str]:
    return {s.value for s in Scope} | {intake_scope(c) for c in Channel}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller; `admin` implies every scope."""

    key_id: str
    name: str
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        return f"api_key:{self.name}"

    def has(self, scope: str) -> bool:
        return Scope.admin in self.scopes or scope in self.scopes

    def can_intake(self, channel: Channel) -> bool:
        return self.has(Scope.intake_all) or self.has(intake_scope(channel))

    @property
    def sees_pii(self) -> bool:
        return self.has(Scope.pii_read)
