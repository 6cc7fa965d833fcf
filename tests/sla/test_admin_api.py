"""Admin API for SLA policies: CRUD, ETag/If-Match, validation, and keeping a complete default."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.builders import assert_problem

COMPLETE = {"first_response": 60, "next_response": 60, "periodic_update": 240, "resolution": 1440}


def vip_policy(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "VIP 客户：首次响应 1 小时",
        "position": 50,
        "conditions": {"tiers": ["vip"]},
        "targets": {"P2": {"first_response": 60, "resolution": 1440}, "P3": {"first_response": 60}},
        "warnings": [{"label": "80%", "share": 0.8}, {"label": "15 min", "minutes_before": 15}],
        "escalation": [
            {"label": "team_lead", "after_minutes": 0, "action": "notify", "target": "team_lead"},
            {
                "label": "supervisor",
                "after_minutes": 60,
                "action": "reassign",
                "target": "supervisor",
                "raise_urgency": True,
            },
        ],
        **overrides,
    }


async def policies(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/v1/sla/policies", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def default_policy(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    return next(p for p in await policies(client, headers) if p["conditions"] == {})


class TestSlaPoliciesApi:
    async def test_seeded_policies_are_listed_in_matching_order(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        items = await policies(api_client, reader_headers)

        assert [(p["position"], p["conditions"]) for p in items] == [
            (100, {"categories": ["service_attitude"]}),
            (110, {"channels": ["wechat"]}),
            (1000, {}),
        ]
        default = items[2]
        assert default["targets"]["P1"]["around_the_clock"] is True
        assert default["targets"]["P4"]["resolution"] == 10080
        assert default["calendar"]["timezone"] == "Asia/Shanghai"
        assert items[1]["calendar"] is None
        assert items[1]["warnings"] is None

    async def test_create_read_update_and_delete(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        created = await api_client.post("/v1/sla/policies", json=vip_policy(), headers=admin_headers)
        assert created.status_code == 201, created.text
        assert created.headers["etag"] == '"1"'
        url = created.headers["location"]
        assert created.json()["warnings"] == [
            {"label": "80%", "share": 0.8},
            {"label": "15 min", "minutes_before": 15},
        ]
        assert created.json()["escalation"][0]["raise_urgency"] is False

        read = await api_client.get(url, headers=reader_headers)
        assert read.json() == created.json()
        assert read.headers["etag"] == '"1"'
        assert [p["position"] for p in await policies(api_client, reader_headers)] == [50, 100, 110, 1000]

        changed = await api_client.patch(
            url,
            json={"targets": {"P3": {"first_response": 30}}, "warnings": None, "calendar": None},
            headers={**admin_headers, "If-Match": '"1"'},
        )
        assert changed.status_code == 200, changed.text
        assert changed.headers["etag"] == '"2"'
        assert changed.json()["targets"] == {"P3": {"first_response": 30}}
        assert changed.json()["warnings"] is None
        assert changed.json()["name"] == "VIP 客户：首次响应 1 小时"

        deleted = await api_client.delete(url, headers={**admin_headers, "If-Match": '"2"'})
        assert deleted.status_code == 204
        assert_problem(await api_client.get(url, headers=reader_headers), 404, "not-found")

    async def test_stale_if_match_is_a_412(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        url = (await api_client.post("/v1/sla/policies", json=vip_policy(), headers=admin_headers)).headers[
            "location"
        ]
        await api_client.patch(url, json={"name": "VIP 貴賓"}, headers={**admin_headers, "If-Match": '"1"'})

        stale_patch = await api_client.patch(
            url, json={"enabled": False}, headers={**admin_headers, "If-Match": '"1"'}
        )
        stale_delete = await api_client.delete(url, headers={**admin_headers, "If-Match": '"1"'})

        assert_problem(stale_patch, 412, "precondition-failed")
        assert_problem(stale_delete, 412, "precondition-failed")
        current = (await api_client.get(url, headers=admin_headers)).json()
        assert current["enabled"] is True
        assert current["name"] == "VIP 貴賓"
        assert current["version"] == 2

    @pytest.mark.parametrize(
        ("overrides", "loc"),
        [
            ({"warnings": [{"label": "late", "share": 1.5}]}, ["body", "warnings", 0, "share"]),
            ({"warnings": [{"label": "both", "share": 0.5, "minutes_before": 10}]}, ["body", "warnings", 0]),
            (
                {"warnings": [{"label": "75%", "share": 0.75}, {"label": "75%", "minutes_before": 30}]},
                ["body", "warnings"],
            ),
            (
                {
                    "escalation": [
                        {"label": "manager", "after_minutes": 480, "action": "notify", "target": "manager"},
                        {"label": "team_lead", "after_minutes": 0, "action": "notify", "target": "team_lead"},
                    ]
                },
                ["body", "escalation"],
            ),
            (
                {"escalation": [{"label": "ceo", "after_minutes": 0, "action": "notify", "target": "ceo"}]},
                ["body", "escalation", 0, "target"],
            ),
            ({"targets": {"P2": {"resolution": 0}}}, ["body", "targets", "P2", "resolution"]),
            ({"conditions": {"phrases": ["退款"]}}, ["body", "conditions", "phrases"]),
            (
                {"calendar": {"hours": {"mon": ["09:00-12:00", "11:00-18:00"]}}},
                ["body", "calendar", "hours"],
            ),
        ],
    )
    async def test_invalid_policies_are_422_with_field_errors(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        overrides: dict[str, Any],
        loc: list[str | int],
    ) -> None:
        response = await api_client.post(
            "/v1/sla/policies", json=vip_policy(**overrides), headers=admin_headers
        )

        problem = assert_problem(response, 422, "validation-error")
        assert [e["loc"] for e in problem["errors"]] == [loc]

    async def test_the_last_default_cannot_be_deleted(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        default = await default_policy(api_client, reader_headers)

        response = await api_client.delete(f"/v1/sla/policies/{default['id']}", headers=admin_headers)

        problem = assert_problem(response, 409, "conflict")
        assert "first_response for P1" in problem["detail"]
        assert len(await policies(api_client, reader_headers)) == 3

    @pytest.mark.parametrize(
        "change",
        [{"enabled": False}, {"conditions": {"channels": ["email"]}}, {"targets": {"P1": COMPLETE}}],
    )
    async def test_a_change_that_leaves_the_default_incomplete_is_a_409(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], change: dict[str, Any]
    ) -> None:
        default = await default_policy(api_client, admin_headers)

        response = await api_client.patch(
            f"/v1/sla/policies/{default['id']}", json=change, headers=admin_headers
        )

        assert_problem(response, 409, "conflict")
        assert await default_policy(api_client, admin_headers) == default

    async def test_a_default_can_go_once_another_covers_every_target(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        old_default = await default_policy(api_client, reader_headers)
        replacement = {
            "name": "新默认时限",
            "position": 2000,
            "targets": dict.fromkeys(("P1", "P2", "P3", "P4"), COMPLETE),
        }
        assert (
            await api_client.post("/v1/sla/policies", json=replacement, headers=admin_headers)
        ).status_code == 201

        response = await api_client.delete(f"/v1/sla/policies/{old_default['id']}", headers=admin_headers)

        assert response.status_code == 204, response.text
        assert [p["name"] for p in await policies(api_client, reader_headers) if not p["conditions"]] == [
            "新默认时限"
        ]

    async def test_policies_with_conditions_can_always_be_deleted(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        wechat = next(p for p in await policies(api_client, reader_headers) if p["conditions"])

        response = await api_client.delete(f"/v1/sla/policies/{wechat['id']}", headers=admin_headers)

        assert response.status_code == 204
        assert wechat["id"] not in {p["id"] for p in await policies(api_client, reader_headers)}

    async def test_unknown_policy_is_a_404(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        url = "/v1/sla/policies/0193a5c2-7f33-7000-8000-4d5e6f708192"
        assert_problem(await api_client.get(url, headers=admin_headers), 404, "not-found")
        assert_problem(
            await api_client.patch(url, json={"enabled": False}, headers=admin_headers), 404, "not-found"
        )
        assert_problem(await api_client.delete(url, headers=admin_headers), 404, "not-found")


POLICY_URL = "/v1/sla/policies/0193a5c2-7f33-7000-8000-4d5e6f708192"
WRITES = [
    ("POST", "/v1/sla/policies", vip_policy()),
    ("PATCH", POLICY_URL, {"enabled": False}),
    ("DELETE", POLICY_URL, None),
]


class TestSlaPoliciesAccess:
    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    async def test_writes_need_a_key(
        self, api_client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        assert_problem(await api_client.request(method, path, json=body), 401, "unauthorized")

    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    async def test_writes_need_the_admin_scope(
        self,
        api_client: httpx.AsyncClient,
        reader_headers: dict[str, str],
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        response = await api_client.request(method, path, json=body, headers=reader_headers)
        assert_problem(response, 403, "forbidden")

    @pytest.mark.parametrize("path", ["/v1/sla/policies", POLICY_URL])
    async def test_reads_need_a_key_with_the_read_scope(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], path: str
    ) -> None:
        assert_problem(await api_client.get(path), 401, "unauthorized")
        assert_problem(await api_client.get(path, headers=intake_headers), 403, "forbidden")
