"""The hand-computed dataset, seeded with its customers' activity reported through the API."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.analytics import dataset
from tests.analytics.dataset import ACTIVITY, Dataset


@pytest.fixture
async def data(
    sessionmaker: async_sessionmaker[AsyncSession],
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
) -> Dataset:
    seeded = await dataset.seed(sessionmaker)
    for customer, when in ACTIVITY:
        response = await api_client.post(
            f"/v1/customers/{seeded.customers[customer]}/events",
            json={"type": "order_placed", "occurred_at": when.isoformat()},
            headers=intake_headers,
        )
        assert response.status_code == 201, response.text
    return seeded
