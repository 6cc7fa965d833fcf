"""Compensation: agents propose and grant, supervisors approve above the limit, all on the timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.compensation.service import needs_approval
from complaint_service.models import WebhookDelivery
from complaint_service.models.enums import CompensationKind
from complaint_service.settings import CompensationConfig
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson, Person

REFUND = {"kind": "refund", "amount": "49.00", "currency": "CNY", "note": "重复扣款原路退回"}
BIG_COUPON = {"kind": "coupon", "amount": "300", "currency": "CNY", "note": "VIP 客戶延誤補償"}
POINTS = {"kind": "points", "points": 50_000, "note": "Apology for the outage"}


async def _propose(
    client: httpx.AsyncClient, complaint_id: str, person: Person, spec: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/complaints/{complaint_id}/compensations", json=spec, headers=person.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _act(
    client: httpx.AsyncClient,
    compensation_id: str,
    action: str,
    person: Person,
    body: Any = None,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"/v1/compensations/{compensation_id}/{action}",
        json=body or {},
        headers={**person.headers, **headers},
    )


class TestThreshold:
    @pytest.mark.parametrize(
        ("kind", "amount", "currency", "points", "expected"),
        [
            (CompensationKind.refund, Decimal("200.00"), "CNY", None, False),  # at the limit: no approval
            (CompensationKind.refund, Decimal("200.01"), "CNY", None, True),
            (CompensationKind.coupon, Decimal("31"), "usd", None, True),
            (CompensationKind.gift, Decimal("29.99"), "USD", None, False),
            (CompensationKind.refund, Decimal("1"), "EUR", None, True),  # no limit configured: always
            (CompensationKind.points, None, None, 20_000, False),
            (CompensationKind.points, None, None, 20_001, True),
        ],
    )
    def test_limits_per_currency_and_points(
        self,
        kind: CompensationKind,
        amount: Decimal | None,
        currency: str | None,
        points: int | None,
        expected: bool,
    ) -> None:
        config = CompensationConfig.model_validate({"approval_threshold": {"CNY": 200, "usd": 30}})
        assert needs_approval(config, kind=kind, amount=amount, currency=currency, points=points) is expected


class TestCompensationApi:
    async def test_below_the_limit_an_agent_offers_and_grants(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        hook = {
            "name": "CRM",
            "url": http_receiver.url,
            "event_types": ["compensation.offered", "compensation.granted"],
        }
        assert (
            await api_client.post("/v1/webhooks/endpoints", json=hook, headers=admin_headers)
        ).status_code == 201
        complaint = await triaged()
        agent = await make_person("agent", [complaint["department"]])

        offered = await _propose(api_client, complaint["id"], agent, REFUND)
        assert (offered["status"], offered["needs_approval"], offered["amount"]) == (
            "offered",
            False,
            "49.00",
        )
        granted = await _act(api_client, offered["id"], "grant", agent, {"reference": "REFUND-20261122-0042"})
        assert granted.status_code == 200, granted.text
        assert (granted.json()["status"], granted.json()["grant_reference"]) == (
            "granted",
            "REFUND-20261122-0042",
        )
        assert granted.json()["granted_by"] == f"user:{agent.id}"
        assert_problem(
            await _act(api_client, offered["id"], "cancel", agent, {"reason": "late"}), 409, "conflict"
        )

        timeline = (
            await api_client.get(f"/v1/complaints/{complaint['id']}/timeline", headers=agent.headers)
        ).json()["items"]
        steps = [(e["type"], e["data"]["status"]) for e in timeline if e["type"].startswith("compensation.")]
        assert steps == [("compensation.offered", "offered"), ("compensation.granted", "granted")]
        async with sessionmaker() as session:
            events = (
                await session.scalars(
                    select(WebhookDelivery.event_type)
                    .where(WebhookDelivery.event_type.like("compensation.%"))
                    .order_by(WebhookDelivery.id)
                )
            ).all()
        assert list(events) == ["compensation.offered", "compensation.granted"]

    async def test_above_the_limit_it_waits_for_a_supervisor(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        department = complaint["department"]
        agent = await make_person("agent", [department])
        lead = await make_person("team_lead", [department])
        supervisor = await make_person("supervisor", [department])
        pending = await _propose(api_client, complaint["id"], agent, BIG_COUPON)
        assert (pending["status"], pending["needs_approval"]) == ("pending_approval", True)

        early = assert_problem(await _act(api_client, pending["id"], "grant", agent), 409, "conflict")
        assert "approval" in early["detail"]
        assert_problem(await _act(api_client, pending["id"], "approve", agent), 403, "forbidden")
        assert_problem(await _act(api_client, pending["id"], "approve", lead), 403, "forbidden")
        assert_problem(await api_client.get("/v1/compensations", headers=agent.headers), 403, "forbidden")

        queue = await api_client.get("/v1/compensations?status=pending_approval", headers=supervisor.headers)
        assert [c["id"] for c in queue.json()["items"]] == [pending["id"]]
        stale = await _act(api_client, pending["id"], "approve", supervisor, **{"If-Match": '"7"'})
        assert_problem(stale, 412, "precondition-failed")
        approved = await _act(
            api_client,
            pending["id"],
            "approve",
            supervisor,
            {"note": "同意，客户为VIP"},
            **{"If-Match": '"1"'},
        )
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["decided_by"], approved.headers["ETag"]) == (
            "approved",
            f"user:{supervisor.id}",
            '"2"',
        )
        assert_problem(await _act(api_client, pending["id"], "approve", supervisor), 409, "conflict")
        assert (
            await api_client.get("/v1/compensations?status=pending_approval", headers=supervisor.headers)
        ).json()["items"] == []

        granted = await _act(api_client, pending["id"], "grant", agent, {"reference": "COUPON-8F3K-2QX9"})
        assert granted.json()["status"] == "granted"
        listed = (
            await api_client.get(f"/v1/complaints/{complaint['id']}/compensations", headers=agent.headers)
        ).json()
        assert [(c["id"], c["status"]) for c in listed] == [(pending["id"], "granted")]

    async def test_rejected_and_cancelled_compensation_is_never_granted(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        agent = await make_person("agent", [complaint["department"]])
        supervisor = await make_person("supervisor", ["tech"])
        points = await _propose(api_client, complaint["id"], agent, POINTS)
        assert (points["status"], points["points"], points["amount"]) == ("pending_approval", 50_000, None)
        rejected = await _act(
            api_client, points["id"], "reject", supervisor, {"note": "积分过多，改发优惠券"}
        )
        assert (rejected.json()["status"], rejected.json()["decision_note"]) == (
            "rejected",
            "积分过多，改发优惠券",
        )
        assert_problem(await _act(api_client, points["id"], "grant", agent), 409, "conflict")
        assert_problem(
            await _act(api_client, points["id"], "cancel", agent, {"reason": "x"}), 409, "conflict"
        )

        refund = await _propose(api_client, complaint["id"], agent, REFUND)
        cancelled = await _act(api_client, refund["id"], "cancel", agent, {"reason": "customer declined"})
        assert (cancelled.json()["status"], cancelled.json()["cancelled_by"]) == (
            "cancelled",
            f"user:{agent.id}",
        )
        assert_problem(await _act(api_client, refund["id"], "grant", agent), 409, "conflict")

    async def test_who_may_propose_and_what_is_valid(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson, make_key: MakeKey
    ) -> None:
        complaint = await triaged()
        path = f"/v1/complaints/{complaint['id']}/compensations"
        outsider = await make_person(
            "agent", ["logistics" if complaint["department"] != "logistics" else "tech"]
        )
        assert_problem(await api_client.post(path, json=REFUND, headers=outsider.headers), 403, "forbidden")
        assert_problem(await api_client.get(path, headers=outsider.headers), 403, "forbidden")
        reader = await make_key("complaints:read", name="dashboard")
        assert_problem(await api_client.post(path, json=REFUND, headers=reader), 403, "forbidden")
        assert (await api_client.get(path, headers=reader)).json() == []
        assert_problem(await api_client.post(path, json=REFUND), 401, "unauthorized")

        agent = await make_person("agent", [complaint["department"]])
        for bad in (
            {"kind": "points", "points": 100, "amount": "5", "currency": "CNY"},
            {"kind": "refund", "amount": "49"},
            {"kind": "refund", "amount": "-1", "currency": "CNY"},
            {"kind": "refund", "amount": "1.001", "currency": "CNY"},
            {"kind": "coupon", "amount": "10", "currency": "RMB1"},
            {"kind": "cash", "amount": "10", "currency": "CNY"},
            {"kind": "points", "points": 0},
        ):
            assert_problem(
                await api_client.post(path, json=bad, headers=agent.headers), 422, "validation-error"
            )
        lower = await _propose(
            api_client, complaint["id"], agent, {"kind": "gift", "amount": "20", "currency": "cny"}
        )
        assert lower["currency"] == "CNY"
