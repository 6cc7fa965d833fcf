"""Customer tiers (set over the API, honoured by routing and SLA) and the customer's history view."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import Complaint, RoutingRule, WebhookDelivery
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson, Person
from tests.fixtures.seed import add_fast_policy
from tests.surveys.helpers import channel_adapter, resolve, survey_token

PARCEL = "快递已经一周了还没送到，物流信息一直不更新，请帮我查一下。"
PAYMENT = "订单支付失败，钱被扣了两次但订单没生成，请尽快退款。"
PAYMENT_TRADITIONAL = "我付款成功了但是訂單沒有生成，錢已經扣了，請盡快處理。"


async def _complaint(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> Complaint:
    async with sessionmaker() as session:
        return await session.get_one(Complaint, uuid.UUID(complaint_id))


async def _customer_of(
    sessionmaker: async_sessionmaker[AsyncSession], complaint: dict[str, Any]
) -> uuid.UUID:
    customer_id = (await _complaint(sessionmaker, complaint["id"])).customer_id
    assert customer_id is not None
    return customer_id


async def _compensate(
    client: httpx.AsyncClient, complaint_id: str, agent: Person, spec: dict[str, Any], *, grant: bool
) -> None:
    proposed = await client.post(
        f"/v1/complaints/{complaint_id}/compensations", json=spec, headers=agent.headers
    )
    assert proposed.status_code == 201, proposed.text
    if grant:
        granted = await client.post(
            f"/v1/compensations/{proposed.json()['id']}/grant", json={}, headers=agent.headers
        )
        assert granted.status_code == 200, granted.text


class TestTier:
    async def test_a_tier_change_retimes_open_complaints_and_routes_the_next_one(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        async with sessionmaker() as session, session.begin():
            session.add(
                RoutingRule(
                    position=1, name="VIP desk", conditions={"tiers": ["vip"]}, department="customer_service"
                )
            )
        await add_fast_policy(sessionmaker, seconds=1800, conditions={"tiers": ["vip"]})
        hook = {"name": "CRM", "url": "http://127.0.0.1:9/hooks", "event_types": ["customer.tier_changed"]}
        assert (
            await api_client.post("/v1/webhooks/endpoints", json=hook, headers=admin_headers)
        ).status_code == 201
        person = {"name": "陈女士", "phone": "13700001234"}
        before = await _complaint(sessionmaker, (await triaged(PARCEL, customer=person))["id"])
        assert before.customer_id is not None
        assert (before.department, before.urgency) == ("logistics", "P3")
        path = f"/v1/customers/{before.customer_id}"
        lead = await make_person("team_lead", ["logistics"])
        agent = await make_person("agent", ["logistics"])

        read = await api_client.get(path, headers=lead.headers)
        assert (read.json()["tier"], read.json()["version"], read.headers["ETag"]) == ("standard", 1, '"1"')
        assert_problem(
            await api_client.patch(path, json={"tier": "vip"}, headers=agent.headers), 403, "forbidden"
        )
        assert_problem(
            await api_client.patch(path, json={"tier": "diamond"}, headers=lead.headers),
            422,
            "validation-error",
        )
        changed = await api_client.patch(
            path, json={"tier": "vip"}, headers={**lead.headers, "If-Match": '"1"'}
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["tier"], changed.headers["ETag"]) == ("vip", '"2"')
        # The open complaint is re-timed on the VIP policy: 30 minutes, around the clock, from now.
        retimed = await _complaint(sessionmaker, str(before.id))
        assert retimed.first_response_due_at is not None
        assert before.first_response_due_at is not None
        assert retimed.first_response_due_at < before.first_response_due_at
        assert abs(retimed.first_response_due_at - utcnow() - timedelta(minutes=30)) < timedelta(seconds=30)
        assert retimed.department == "logistics"  # routing is not redone for a complaint in hand
        stale = await api_client.patch(
            path, json={"tier": "gold"}, headers={**lead.headers, "If-Match": '"1"'}
        )
        assert_problem(stale, 412, "precondition-failed")
        assert_problem(
            await api_client.patch(
                f"/v1/customers/{uuid.uuid4()}", json={"tier": "vip"}, headers=lead.headers
            ),
            404,
            "not-found",
        )

        after = await _complaint(sessionmaker, (await triaged(PARCEL, customer=person))["id"])
        assert after.customer_id == before.customer_id
        assert (after.department, after.urgency) == ("customer_service", "P2")
        assert after.first_response_due_at is not None
        assert abs(after.first_response_due_at - after.received_at - timedelta(minutes=30)) < timedelta(
            seconds=5
        )
        async with sessionmaker() as session:
            [event] = (
                await session.scalars(
                    select(WebhookDelivery.payload).where(
                        WebhookDelivery.event_type == "customer.tier_changed"
                    )
                )
            ).all()
        assert (event["data"]["from"], event["data"]["to"], event["data"]["actor"]) == (
            "standard",
            "vip",
            f"user:{lead.id}",
        )


class TestHistory:
    async def test_history_counts_what_the_caller_may_see(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        make_key: MakeKey,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        person = {"name": "王小明", "phone": "13600005678"}
        first = await triaged(PAYMENT, customer=person)
        department = first["department"]
        agent = await make_person("agent", [department])
        await resolve(api_client, first, agent)
        assert (
            await api_client.post(
                f"/v1/surveys/{await survey_token(sessionmaker, first['id'])}", json={"score": 5}
            )
        ).status_code == 200
        second = await triaged(PAYMENT, customer=person)
        assert second["department"] == department
        await resolve(api_client, second, agent)
        assert (
            await api_client.post(
                f"/v1/surveys/{await survey_token(sessionmaker, second['id'])}", json={"score": 1}
            )
        ).status_code == 200
        hidden = await triaged(PAYMENT_TRADITIONAL, customer=person)
        hidden_agent = await make_person("agent", [hidden["department"]])
        await _compensate(
            api_client,
            hidden["id"],
            hidden_agent,
            {"kind": "refund", "amount": "100", "currency": "CNY"},
            grant=True,
        )
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Complaint)
                .where(Complaint.id == uuid.UUID(second["id"]))
                .values(flags=func.array_append(Complaint.flags, "repeat"))
            )
            await session.execute(
                update(Complaint).where(Complaint.id == uuid.UUID(hidden["id"])).values(department="security")
            )
        await _compensate(
            api_client,
            first["id"],
            agent,
            {"kind": "refund", "amount": "49.00", "currency": "CNY"},
            grant=True,
        )
        await _compensate(api_client, second["id"], agent, {"kind": "points", "points": 200}, grant=True)
        await _compensate(
            api_client,
            second["id"],
            agent,
            {"kind": "coupon", "amount": "300", "currency": "CNY"},
            grant=False,
        )
        customer_id = await _customer_of(sessionmaker, first)
        path = f"/v1/customers/{customer_id}/history"

        mine = await api_client.get(path, headers=agent.headers)
        assert mine.status_code == 200, mine.text
        view = mine.json()
        assert view["counts"] == {"total": 2, "open": 1, "repeats": 1, "reopened": 1, "second_handling": 1}
        assert [(c["id"], c["survey_score"]) for c in view["complaints"]] == [
            (second["id"], 1),
            (first["id"], 5),
        ]
        assert "body" not in view["complaints"][0]
        assert view["satisfaction"] == {
            "sent": 2,
            "answered": 2,
            "satisfied": 1,
            "csat": 0.5,
            "average_score": 3.0,
            "response_rate": 1.0,
        }
        assert view["compensation"] == {
            "granted": [{"currency": "CNY", "amount": "49.00"}],
            "granted_points": 200,
            "open": 1,
        }

        supervisor = await make_person("supervisor", [department])
        everything = (await api_client.get(path, headers=supervisor.headers)).json()
        assert everything["counts"]["total"] == 3
        assert everything["compensation"]["granted"] == [{"currency": "CNY", "amount": "149.00"}]
        paged = (await api_client.get(f"{path}?limit=2", headers=supervisor.headers)).json()
        rest = (
            await api_client.get(
                f"{path}?limit=2&cursor={paged['complaints_next_cursor']}", headers=supervisor.headers
            )
        ).json()
        assert [c["id"] for c in paged["complaints"] + rest["complaints"]] == [
            hidden["id"],
            second["id"],
            first["id"],
        ]

        reader = await make_key("complaints:read", name="crm")
        assert (await api_client.get(path, headers=reader)).json()["counts"]["total"] == 3
        assert_problem(await api_client.get(path), 401, "unauthorized")
        assert_problem(
            await api_client.get(f"/v1/customers/{uuid.uuid4()}/history", headers=agent.headers),
            404,
            "not-found",
        )
