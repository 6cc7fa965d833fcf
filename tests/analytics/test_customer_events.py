"""`POST /v1/customers/{id}/events`: idempotent reports of activity, and the latest one kept."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import Customer, CustomerActivity, CustomerEvent
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson


async def _customer(sessionmaker: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with sessionmaker() as session, session.begin():
        customer = Customer(display_name="王小明")
        session.add(customer)
    return customer.id


class TestCustomerEvents:
    async def test_a_retried_report_counts_once_and_the_latest_activity_is_kept(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        customer_id = await _customer(sessionmaker)
        url = f"/v1/customers/{customer_id}/events"
        latest = utcnow() - timedelta(hours=1)
        report = {"type": "order_placed", "occurred_at": latest.isoformat(), "external_id": "evt-1"}

        first = await api_client.post(url, json=report, headers=intake_headers)
        retry = await api_client.post(url, json={**report, "type": "login"}, headers=intake_headers)
        earlier = (latest - timedelta(days=2)).isoformat()
        older = await api_client.post(
            url, json={"type": "login", "occurred_at": earlier}, headers=intake_headers
        )

        assert first.status_code == 201
        assert retry.status_code == 200
        assert retry.json() == first.json()  # the first report stands
        assert first.json()["reported_by"] == "api_key:adapter"
        assert older.status_code == 201
        async with sessionmaker() as session:
            events = await session.scalar(select(func.count()).select_from(CustomerEvent))
            activity = await session.get(CustomerActivity, customer_id)
        assert events == 2
        assert activity is not None
        assert activity.last_activity_at == latest

    async def test_bad_reports_are_refused(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_key: MakeKey,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        customer_id = await _customer(sessionmaker)
        url = f"/v1/customers/{customer_id}/events"
        now = utcnow()
        good = {"type": "active", "occurred_at": now.isoformat()}
        supervisor = await make_person("supervisor", [])

        future = await api_client.post(
            url, json={**good, "occurred_at": (now + timedelta(hours=1)).isoformat()}, headers=intake_headers
        )
        naive = await api_client.post(
            url, json={**good, "occurred_at": "2026-11-01T10:00:00"}, headers=intake_headers
        )
        bad_type = await api_client.post(url, json={**good, "type": "Order Placed!"}, headers=intake_headers)
        nobody = f"/v1/customers/{uuid.uuid4()}/events"
        unknown = await api_client.post(nobody, json=good, headers=intake_headers)
        reader = await api_client.post(url, json=good, headers=await make_key("complaints:read"))
        person = await api_client.post(url, json=good, headers=supervisor.headers)
        admin = await api_client.post(url, json=good, headers=await make_key("admin", name="ops"))

        assert assert_problem(future, 422, "validation-error")["errors"][0]["loc"] == ["body", "occurred_at"]
        assert assert_problem(naive, 422, "validation-error")["errors"][0]["loc"] == ["body", "occurred_at"]
        assert assert_problem(bad_type, 422, "validation-error")["errors"][0]["loc"] == ["body", "type"]
        assert_problem(unknown, 404, "not-found")
        assert_problem(reader, 403, "forbidden")
        assert_problem(person, 403, "forbidden")
        assert admin.status_code == 201
