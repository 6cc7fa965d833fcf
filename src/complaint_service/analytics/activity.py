"""Customer activity reported by the platform after a complaint: the raw event and the latest one."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.analytics.schemas import CustomerEventIn
from complaint_service.core.ids import uuid7
from complaint_service.core.problems import NotFound
from complaint_service.models import Customer, CustomerActivity, CustomerEvent


async def record(
    session: AsyncSession, *, customer_id: uuid.UUID, event: CustomerEventIn, reported_by: str
) -> tuple[CustomerEvent, bool]:
    """Idempotent on the platform's event id: (event, created). Only a new event moves the latest activity."""
    if await session.scalar(select(Customer.id).where(Customer.id == customer_id)) is None:
        raise NotFound(f"No customer {customer_id}.")
    inserted = await session.scalar(
        pg_insert(CustomerEvent)
        .values(
            id=uuid7(),
            customer_id=customer_id,
            type=event.type,
            occurred_at=event.occurred_at,
            external_id=event.external_id,
            reported_by=reported_by,
        )
        .on_conflict_do_nothing(index_elements=[CustomerEvent.customer_id, CustomerEvent.external_id])
        .returning(CustomerEvent)
    )
    if inserted is None:
        # ON CONFLICT waited for the row it collided with to commit, so this finds it.
        existing = await session.scalars(
            select(CustomerEvent).where(
                CustomerEvent.customer_id == customer_id, CustomerEvent.external_id == event.external_id
            )
        )
        return existing.one(), False
    upsert = pg_insert(CustomerActivity).values(customer_id=customer_id, last_activity_at=event.occurred_at)
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[CustomerActivity.customer_id],
            set_={
                "last_activity_at": func.greatest(
                    CustomerActivity.last_activity_at, upsert.excluded.last_activity_at
                ),
                "updated_at": func.now(),
            },
        )
    )
    return inserted, True
