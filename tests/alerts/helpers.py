"""Complaint traffic with known counts per window, written straight to PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint

CATEGORIES = ("payment_billing", "delivery_logistics", "product_defect")


async def add_complaints(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    start: datetime,
    span: timedelta,
    n: int,
    category: str | None,
    product_sku: str | None = None,
    app_version: str | None = None,
    flags: list[str] | None = None,
    merged_into_id: uuid.UUID | None = None,
) -> None:
    """`n` complaints received evenly over [start, start + span)."""
    if n == 0:
        return
    rows = [
        {
            "id": uuid.uuid4(),
            "reference": f"T{uuid.uuid4().hex[:20]}",
            "channel": "app_feedback",
            "body": "更新后闪退",
            "status": "triaged",
            "category": category,
            "product_sku": product_sku,
            "app_version": app_version,
            "flags": flags or [],
            "merged_into_id": merged_into_id,
            "received_at": start + span * i / n,
        }
        for i in range(n)
    ]
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(Complaint).values(rows))


async def add_steady_traffic(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, hours: int = 25
) -> None:
    """20 to 22 complaints an hour per category, every hour including the current one.

    Each count is above the default minimum of 10, so only the baseline comparison keeps them
    from being spikes. SKU and app version traffic is three times that, just as steady.
    """
    for age in range(hours):
        start = now - timedelta(hours=age + 1)
        for offset, category in enumerate(CATEGORIES):
            await add_complaints(
                sessionmaker,
                start=start,
                span=timedelta(hours=1),
                n=20 + (age + offset) % 3,
                category=category,
                product_sku="SKU-100",
                app_version="5.2.0",
            )
