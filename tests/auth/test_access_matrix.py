"""Who may call what: 401 without a credential, 403 outside one's role or departments, and the PII audit."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.people import MakePerson

# Operations anyone may call: probes, sign-in, survey answers (token in the path), WeChat's protocol.
PUBLIC = re.compile(
    r"^(/healthz|/readyz|/metrics|/dashboard.*|/v1/auth/token|/v1/surveys/\{token\}|/v1/channels/wechat/.*)$"
)
ROLES = ("agent", "team_lead", "supervisor", "admin")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if "id" in m.group() else "x", path)


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    """From the OpenAPI document, so every operation a client can see is covered."""
    return sorted(
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/v1") and not PUBLIC.match(path)
        for method in item
    )


class TestNoCredential:
    async def test_every_protected_operation_is_401_without_a_token(
        self, api_client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        operations = _operations(app)
        assert len(operations) > 40
        for method, path in operations:
            response = await api_client.request(method, _concrete(path), json={})
            assert response.status_code == 401, (method, path, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


# (method, path, body, lowest role allowed); every role below it gets 403.
ROLE_MATRIX: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("GET", "/v1/complaints", None, "agent"),
    ("GET", "/v1/departments", None, "agent"),
    (
        "POST",
        "/v1/complaints/bulk",
        {"filter": {"ids": [str(uuid.uuid4())]}, "action": "close"},
        "supervisor",
    ),
    ("POST", "/v1/agents", {"name": "x", "departments": ["finance"]}, "admin"),
    ("PUT", "/v1/routing/rules", {"rules": []}, "admin"),
    ("GET", "/v1/webhooks/endpoints", None, "admin"),
    ("GET", "/v1/audit/pii-access", None, "admin"),
    ("POST", "/v1/sla/policies", {}, "admin"),
]


class TestRoles:
    @pytest.mark.parametrize(("method", "path", "body", "lowest"), ROLE_MATRIX)
    async def test_roles_below_the_lowest_allowed_get_403(
        self,
        api_client: httpx.AsyncClient,
        make_person: MakePerson,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        lowest: str,
    ) -> None:
        for role in ROLES:
            person = await make_person(role, ["finance"])
            response = await api_client.request(method, path, json=body, headers=person.headers)
            if ROLES.index(role) < ROLES.index(lowest):
                assert_problem(response, 403, "forbidden")
            else:
                assert response.status_code not in (401, 403), (role, method, path, response.text)

    async def test_read_only_api_keys_read_but_do_not_act(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str], triaged: Triaged
    ) -> None:
        complaint = await triaged()
        assert (
            await api_client.get(f"/v1/complaints/{complaint['id']}", headers=reader_headers)
        ).status_code == 200
        response = await api_client.post(
            f"/v1/complaints/{complaint['id']}/resolve",
            json={"code": "solved", "summary": "x"},
            headers=reader_headers,
        )
        assert_problem(response, 403, "forbidden")


class TestDepartments:
    async def test_people_see_and_act_on_their_departments_only(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        dept = complaint["department"]
        other = "product" if dept != "product" else "tech"
        insider, outsider = await make_person("agent", [dept]), await make_person("team_lead", [other])
        supervisor = await make_person("supervisor", [other])
        base = f"/v1/complaints/{complaint['id']}"
        for path in (base, f"{base}/timeline", f"{base}/messages"):
            assert (await api_client.get(path, headers=insider.headers)).status_code == 200
            assert_problem(await api_client.get(path, headers=outsider.headers), 403, "forbidden")
            assert (await api_client.get(path, headers=supervisor.headers)).status_code == 200
        assert_problem(await api_client.post(f"{base}/claim", headers=outsider.headers), 403, "forbidden")
        assert_problem(
            await api_client.post(f"{base}/notes", json={"body": "x"}, headers=outsider.headers),
            403,
            "forbidden",
        )

        listed = await api_client.get("/v1/complaints", headers=outsider.headers)
        assert complaint["id"] not in [c["id"] for c in listed.json()["items"]]
        listed = await api_client.get("/v1/complaints", headers=insider.headers)
        assert complaint["id"] in [c["id"] for c in listed.json()["items"]]


class TestPiiAudit:
    async def test_every_unmasking_is_logged_and_masked_reads_are_not(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        admin_headers: dict[str, str],
    ) -> None:
        complaint = await triaged()  # its body carries a mobile number
        dept = complaint["department"]
        plain = await make_person("agent", [dept])
        trusted = await make_person("agent", [dept], scopes=["pii:read"])
        base = f"/v1/complaints/{complaint['id']}"

        masked = (await api_client.get(base, headers=plain.headers)).json()
        assert masked["pii_masked"] is True
        assert "13812345678" not in masked["body"]
        shown = (await api_client.get(base, headers=trusted.headers)).json()
        assert "13812345678" in shown["body"]
        await api_client.get(f"{base}/messages", headers=trusted.headers)
        await api_client.get("/v1/complaints", headers=trusted.headers)

        log = await api_client.get(
            "/v1/audit/pii-access", params={"complaint_id": complaint["id"]}, headers=admin_headers
        )
        assert log.status_code == 200, log.text
        rows = log.json()["items"]
        assert sorted(r["resource"] for r in rows) == ["complaint", "complaint", "messages"]
        assert {r["actor"] for r in rows} == {f"user:{trusted.id}"}
        assert all(r["kinds"] == ["phone"] for r in rows)
        assert {r["route"] for r in rows} >= {"GET /v1/complaints/{complaint_id}", "GET /v1/complaints"}
        assert all(r["request_id"] for r in rows)
