"""Managing SLA policies; the edge commits, these only flush."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.core.etags import check_if_match, flush_versioned
from complaint_service.core.problems import Conflict
from complaint_service.models import SlaPolicy
from complaint_service.models.enums import COMPLAINT_CLOCKS, Urgency
from complaint_service.sla.schemas import PolicyCreate, PolicyUpdate


async def list_policies(session: AsyncSession) -> Sequence[SlaPolicy]:
    return (await session.scalars(select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id))).all()


async def get_policy(session: AsyncSession, *, policy_id: uuid.UUID) -> SlaPolicy | None:
    return await session.get(SlaPolicy, policy_id)


async def create_policy(session: AsyncSession, *, data: PolicyCreate) -> SlaPolicy:
    policy = SlaPolicy(**data.columns())
    session.add(policy)
    await session.flush()
    await session.refresh(policy)
    return policy


def _is_default(policy: SlaPolicy) -> bool:
    return policy.enabled and not any(policy.conditions.values())


async def _uncovered(session: AsyncSession) -> set[tuple[str, str]]:
    """(urgency, clock) pairs that no enabled policy without conditions sets.

    Those defaults are what a complaint matching no other policy gets: a pair they leave unset
    is a clock that cannot start for such a complaint.
    """
    defaults = [p for p in await list_policies(session) if _is_default(p)]
    return {
        (urgency.value, kind.value)
        for urgency in Urgency
        for kind in COMPLAINT_CLOCKS
        if not any((p.targets.get(urgency.value) or {}).get(kind.value) is not None for p in defaults)
    }


async def _guard_defaults(session: AsyncSession, policy: SlaPolicy) -> set[tuple[str, str]] | None:
    """Before changing a default: lock out concurrent edits and note what the defaults cover now.

    The table lock keeps two requests from each removing one of the last two defaults.
    """
    if not _is_default(policy):
        return None
    await session.execute(text("LOCK TABLE sla_policies IN EXCLUSIVE MODE"))
    return await _uncovered(session)


async def _check_defaults(session: AsyncSession, uncovered_before: set[tuple[str, str]] | None) -> None:
    if uncovered_before is None:
        return
    lost = sorted(await _uncovered(session) - uncovered_before)
    if lost:
        pairs = ", ".join(f"{kind} for {urgency}" for urgency, kind in lost)
        raise Conflict(
            f"Refused: no enabled policy without conditions would set {pairs} any more. "
            "Create or change another default first."
        )


async def update_policy(
    session: AsyncSession, *, policy: SlaPolicy, changes: PolicyUpdate, if_match: str | None
) -> SlaPolicy:
    check_if_match(if_match, version=policy.version)
    uncovered = await _guard_defaults(session, policy)
    for name, value in changes.changes().items():
        setattr(policy, name, value)
    await flush_versioned(session)
    await _check_defaults(session, uncovered)
    await session.refresh(policy)
    return policy


async def delete_policy(session: AsyncSession, *, policy: SlaPolicy, if_match: str | None) -> None:
    """Clocks already running keep the targets they started with; only new clocks see the change."""
    check_if_match(if_match, version=policy.version)
    uncovered = await _guard_defaults(session, policy)
    await session.delete(policy)
    await flush_versioned(session)
    await _check_defaults(session, uncovered)
