"""Resolving the customer behind a complaint from its identities, race-safely."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from complaint_service.core.etags import flush_versioned
from complaint_service.core.ids import uuid7
from complaint_service.customers.identities import normalize_identity
from complaint_service.intake.channels.base import IdentityIn
from complaint_service.models import Customer, CustomerIdentity
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


async def _claim(session: AsyncSession, handles: Sequence[Handle], customer_id: uuid.UUID) -> set[Handle]:
    """Insert the handles for this customer; returns those actually inserted (the rest belong to others)."""
    if not handles:
        return set()
    rows = await session.execute(
        pg_insert(CustomerIdentity)
        .values([{"id": uuid7(), "customer_id": customer_id, "kind": k, "value": v} for k, v in handles])
        .on_conflict_do_nothing(index_elements=["kind", "value"])
        .returning(CustomerIdentity.kind, CustomerIdentity.value)
    )
    return {(r.kind, r.value) for r in rows}


async def resolve_customer(
    session: AsyncSession, *, identities: Sequence[IdentityIn], name: str | None, default_region: str
) -> uuid.UUID | None:
    """The customer owning the first known identity, or a new one; unknown identities are attached.

    Two requests introducing the same new person at once both create a customer; the identity's
    unique constraint decides the winner and the loser folds its row into it before commit.
    """
    handles = normalize_all(identities, default_region=default_region)
    if not handles:
        return None
    owners = await _owners(session, handles)
    known = next((owners[h] for h in handles if h in owners), None)
    if known is not None:
        await _claim(session, [h for h in handles if h not in owners], known)
        return known

    new_id = uuid7()
    await session.execute(insert(Customer).values(id=new_id, display_name=name))
    claimed = await _claim(session, handles, new_id)
    if len(claimed) == len(handles):
        return new_id
    # Lost a race for at least one handle: join the winner's customer.
    winners = await _owners(session, [h for h in handles if h not in claimed])
    winner = next(winners[h] for h in handles if h in winners)
    await session.execute(
        update(CustomerIdentity).where(CustomerIdentity.customer_id == new_id).values(customer_id=winner)
    )
    await session.execute(delete(Customer).where(Customer.id == new_id))
    return winner


async def get_customer(
    session: AsyncSession, *, customer_id: uuid.UUID, for_update: bool = False
) -> Customer | None:
    query = select(Customer).where(Customer.id == customer_id).options(selectinload(Customer.identities))
    if for_update:
        query = query.with_for_update(of=Customer).execution_options(populate_existing=True)
    return await session.scalar(query)


async def set_tier(session: AsyncSession, *, customer: Customer, tier: CustomerTier, actor: str) -> None:
    """Read by triage (urgency, routing rules, SLA policy) for each new or reopened complaint."""
    if customer.tier == tier.value:
        return
    before, customer.tier = customer.tier, tier.value
    await flush_versioned(session)
    await outbound_service.publish(
        session,
        complaint_id=None,
        event_type="customer.tier_changed",
        data={"customer_id": str(customer.id), "from": before, "to": tier.value, "actor": actor},
    )
