"""The incident API: roles, opening and linking by hand, counts, complaints by department, timeline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson
from tests.fixtures.senders import submit, triage
from tests.incidents.texts import PAYMENT_HANS

INCIDENT = str(uuid.UUID(int=1))
WRITES = [
    ("POST", "/v1/incidents", {"title": "支付失败", "category": "payment_billing"}),
    ("POST", f"/v1/incidents/{INCIDENT}/complaints", {"complaint_ids": [INCIDENT]}),
    ("DELETE", f"/v1/incidents/{INCIDENT}/complaints/{INCIDENT}", None),
    ("POST", f"/v1/incidents/{INCIDENT}/updates", {"body": "处理中"}),
    ("POST", f"/v1/incidents/{INCIDENT}/resolve", {"summary": "已修复", "announcement": "已修复"}),
]
READS = ["/v1/incidents", f"/v1/incidents/{INCIDENT}", f"/v1/incidents/{INCIDENT}/complaints"]


async def payments(client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any]) -> list[str]:
    ids = [await submit(client, headers, t, sender=n) for n, t in enumerate(PAYMENT_HANS[:3])]
    for complaint_id in ids:
        await triage(ctx, complaint_id)
    return [str(i) for i in ids]


class TestAccess:
    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    async def test_supervisors_work_incidents(
        self, api_client: httpx.AsyncClient, make_person: MakePerson, method: str, path: str, body: Any
    ) -> None:
        assert_problem(await api_client.request(method, path, json=body), 401, "unauthorized")
        lead = await make_person("team_lead", ["finance"])
        assert_problem(
            await api_client.request(method, path, json=body, headers=lead.headers), 403, "forbidden"
        )
        supervisor = await make_person("supervisor", [])
        allowed = await api_client.request(method, path, json=body, headers=supervisor.headers)
        assert allowed.status_code in {201, 404}, allowed.text

    @pytest.mark.parametrize("path", READS)
    async def test_team_leads_read_them(
        self, api_client: httpx.AsyncClient, make_person: MakePerson, path: str
    ) -> None:
        agent = await make_person("agent", ["finance"])
        assert_problem(await api_client.get(path, headers=agent.headers), 403, "forbidden")
        lead = await make_person("team_lead", ["finance"])
        assert (await api_client.get(path, headers=lead.headers)).status_code in {200, 404}


class TestIncidentApi:
    async def test_open_link_list_and_read_with_counts(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
        make_person: MakePerson,
    ) -> None:
        ids = await payments(api_client, intake_headers, worker_ctx)
        supervisor = await make_person("supervisor", [])
        created = await api_client.post(
            "/v1/incidents",
            json={"title": "微信支付通道故障", "category": "payment_billing", "complaint_ids": ids[:2]},
            headers=supervisor.headers,
        )
        assert created.status_code == 201, created.text
        incident = created.json()
        assert created.headers["location"] == incident["links"]["self"]
        assert incident["counts"] == {"complaints": 2, "customers": 2, "open": 2, "resolved": 0, "closed": 0}
        assert (incident["automatic"], incident["opened_by"]) == (False, f"user:{supervisor.id}")

        linked = await api_client.post(
            f"{incident['links']['self']}/complaints", json={"complaint_ids": ids}, headers=supervisor.headers
        )
        assert linked.json() == {"linked": [ids[2]], "skipped": ids[:2]}
        unlinked = await api_client.delete(
            f"{incident['links']['self']}/complaints/{ids[0]}", headers=supervisor.headers
        )
        assert unlinked.status_code == 204

        lead = await make_person("team_lead", ["finance"])
        other_lead = await make_person("team_lead", ["logistics"])
        listed = (await api_client.get("/v1/incidents?status=open", headers=lead.headers)).json()["items"]
        assert [(i["id"], i["counts"]["complaints"]) for i in listed] == [(incident["id"], 2)]
        mine = (await api_client.get(incident["links"]["complaints"], headers=lead.headers)).json()["items"]
        assert [c["id"] for c in mine] == ids[1:]  # payments are routed to finance
        assert (await api_client.get(incident["links"]["complaints"], headers=other_lead.headers)).json()[
            "items"
        ] == []
        timeline = (await api_client.get(incident["links"]["timeline"], headers=lead.headers)).json()["items"]
        assert [e["type"] for e in timeline] == [
            "incident.opened",
            "incident.complaints_linked",
            "incident.complaints_linked",
            "incident.complaint_unlinked",
        ]
        none = (await api_client.get("/v1/incidents?status=resolved", headers=lead.headers)).json()["items"]
        assert none == []

    async def test_update_and_resolve_are_accepted_then_refused_once_resolved(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
        make_person: MakePerson,
    ) -> None:
        ids = await payments(api_client, intake_headers, worker_ctx)
        supervisor = await make_person("supervisor", [])
        incident = (
            await api_client.post(
                "/v1/incidents",
                json={"title": "支付失败", "category": "payment_billing", "complaint_ids": ids},
                headers=supervisor.headers,
            )
        ).json()
        base = incident["links"]["self"]
        update = await api_client.post(
            f"{base}/updates", json={"body": "正在修复"}, headers=supervisor.headers
        )
        assert update.status_code == 202, update.text
        assert (update.json()["kind"], update.json()["completed_at"]) == ("update", None)
        resolved = await api_client.post(
            f"{base}/resolve",
            json={"summary": "已修复", "announcement": "支付已恢复"},
            headers=supervisor.headers,
        )
        assert resolved.status_code == 200, resolved.text
        assert (resolved.json()["status"], resolved.json()["resolution_code"]) == (
            "resolved",
            "incident_resolved",
        )
        again = await api_client.post(f"{base}/updates", json={"body": "又一次"}, headers=supervisor.headers)
        assert_problem(again, 409, "conflict")

    async def test_bad_input_is_a_problem(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        supervisor = await make_person("supervisor", [])
        bad_category = await api_client.post(
            "/v1/incidents", json={"title": "x", "category": "outage"}, headers=supervisor.headers
        )
        assert_problem(bad_category, 422, "validation-error")
        unknown = await api_client.post(
            "/v1/incidents",
            json={"title": "x", "category": "other", "complaint_ids": [str(uuid.uuid4())]},
            headers=supervisor.headers,
        )
        assert_problem(unknown, 404, "not-found")
        empty = await api_client.post(
            "/v1/incidents", json={"title": "", "category": "other"}, headers=supervisor.headers
        )
        assert_problem(empty, 422, "validation-error")
        assert_problem(
            await api_client.get(f"/v1/incidents/{uuid.uuid4()}", headers=supervisor.headers),
            404,
            "not-found",
        )
