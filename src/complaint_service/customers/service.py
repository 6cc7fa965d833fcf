"""Resolving the customer behind a complaint from its identities, race-safely."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from complaint_service.core.etags import flush_versioned
from complaint_service.customers.identities import normalize_identity
from complaint_service.intake.channels.base import IdentityIn
from complaint_service.models import Complaint, Customer, CustomerIdentity
from complaint_service.models.enums import CustomerTier, IdentityKind
from complaint_service.outbound import service as outbound_service

Handle = tuple[str, str]


def normalize_all(identities: Sequence[IdentityIn], *, default_region: str) -> list[Handle]:
    """Normalised (kind, value) pairs in the order given, without duplicates or unusable values."""
    seen: dict[Handle, None] = {}
    for identity in identities:
        value = normalize_identity(IdentityKind(identity.kind), identity.value, default_region=default_region)
        if value is not None:
            seen[(identity.kind.value, value)] = None
    return list(seen)


async def _owners(session: AsyncSession, handles: Sequence[Handle]) -> dict[Handle, uuid.UUID]:
    rows = await session.execute(
        select(CustomerIdentity.kind, CustomerIdentity.value, CustomerIdentity.customer_id).where(
            tuple_(CustomerIdentity.kind, CustomerIdentity.value).in_(handles)
        )
    )
    return {(r.kind, r.value): r.customer_id for r in rows}


async def winner_of(session: AsyncSession, handles: Sequence[Handle], *, loser: uuid.UUID) -> uuid.UUID:
    """Who owns the first of `handles` that `loser` did not get (it lost them to a concurrent request)."""
    owners = await _owners(session, handles)
    return next(owners[h] for h in handles if h in owners and owners[h] != loser)


async def fold_into(session: AsyncSession, *, loser: uuid.UUID, winner: uuid.UUID) -> None:
    """The complaints and identities of `loser` move to `winner`, and the customer row `loser` goes.

    Two requests introducing the same new person at once both create a customer; the identity's
    unique constraint decides the winner, and the loser's row is folded into it. One statement, so
    it is all or nothing even on intake's autocommit connection (the foreign keys are checked, and
    the identities' cascade runs, after both moves).
    """
    moved = (
        update(Complaint)
        .where(Complaint.customer_id == loser)
        .values(customer_id=winner)
        .returning(Complaint.id)
    )
    claimed = (
        update(CustomerIdentity)
        .where(CustomerIdentity.customer_id == loser)
        .values(customer_id=winner)
        .returning(CustomerIdentity.id)
    )
    await session.execute(
        delete(Customer)
        .where(Customer.id == loser)
        .add_cte(moved.cte("moved"))
        .add_cte(claimed.cte("claimed"))
    )


async def get_customer(
    session: AsyncSession, *, customer_id: uuid.UUID, for_update: bool = False
) -> Customer | None:
    query = select(Customer).where(Customer.id == customer_id).options(selectinload(Customer.identities))
    if for_update:
        query = query.with_for_update(of=Customer).execution_options(populate_existing=True)
    return await session.scalar(query)


async def set_tier(session: AsyncSession, *, customer: Customer, tier: CustomerTier, actor: str) -> bool:
    """Read by triage (urgency, routing rules, SLA policy) for each new or reopened complaint.

    False when the customer already had this tier.
    """
    if customer.tier == tier.value:
        return False
    before, customer.tier = customer.tier, tier.value
    await flush_versioned(session)
    await outbound_service.publish(
        session,
        complaint_id=None,
        event_type="customer.tier_changed",
        data={"customer_id": str(customer.id), "from": before, "to": tier.value, "actor": actor},
    )
    return True
