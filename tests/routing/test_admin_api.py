"""Admin API for departments, agents and routing rules, against the real database and Redis."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis

from complaint_service.core import after_commit
from tests.fixtures.builders import assert_problem

SEEDED_DEPARTMENTS = [
    "customer_service",
    "finance",
    "legal_compliance",
    "logistics",
    "product",
    "quality",
    "security",
    "tech",
]
SHIFTS = {
    "timezone": "Asia/Shanghai",
    "hours": {"sat": ["10:00-16:00"], "sun": ["10:00-16:00"]},
    "use_cn_holidays": False,
    "closed_dates": [],
    "open_dates": [],
    "around_the_clock": False,
}


def agent(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "李娜",
        "email": f"li.na.{uuid.uuid4().hex[:8]}@example.com",
        "departments": ["finance", "customer_service"],
        "skills": ["refund"],
        "languages": ["zh-Hans", "zh-Hant", "en"],
        "capacity": 12,
        **overrides,
    }


async def create_agent(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    response = await client.post("/v1/agents", json=agent(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def queued_drains(redis: ArqRedis, *departments: str) -> set[str]:
    await after_commit.drain()
    return {key for key in departments if await redis.exists(f"arq:job:routing.drain:{key}")}


class TestDepartmentsApi:
    async def test_seeded_departments_are_listed_by_key(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        response = await api_client.get("/v1/departments", headers=reader_headers)

        assert response.status_code == 200
        items = response.json()["items"]
        assert [d["key"] for d in items] == SEEDED_DEPARTMENTS
        assert {d["strategy"] for d in items} == {"least_loaded"}
        assert items[0]["calendar"]["hours"]["mon"] == ["09:00-18:00"]

    async def test_create_read_and_update(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        created = await api_client.post(
            "/v1/departments",
            json={"key": "vip_care", "name": "VIP 客户关怀", "strategy": "round_robin"},
            headers=admin_headers,
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == "/v1/departments/vip_care"
        assert created.json()["calendar"]["hours"]["fri"] == ["09:00-18:00"]  # default business hours

        changed = await api_client.patch(
            "/v1/departments/vip_care",
            json={"name": "VIP 客戶關懷", "calendar": SHIFTS},
            headers=admin_headers,
        )
        assert changed.status_code == 200, changed.text

        read = (await api_client.get("/v1/departments/vip_care", headers=reader_headers)).json()
        assert read["name"] == "VIP 客戶關懷"
        assert read["strategy"] == "round_robin"
        assert read["calendar"]["hours"] == SHIFTS["hours"]

    async def test_a_taken_key_is_a_409(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await api_client.post(
            "/v1/departments", json={"key": "finance", "name": "Finance again"}, headers=admin_headers
        )

        assert_problem(response, 409, "conflict")
        listed = (await api_client.get("/v1/departments", headers=admin_headers)).json()["items"]
        assert [d["name"] for d in listed if d["key"] == "finance"] == ["Finance"]

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"key": "Night-Shift", "name": "夜班"}, ["body", "key"]),
            ({"key": "night_shift", "name": "夜班", "strategy": "random"}, ["body", "strategy"]),
            (
                {
                    "key": "night_shift",
                    "name": "夜班",
                    "calendar": {"hours": {"mon": ["09:00-12:00", "11:30-18:00"]}},
                },
                ["body", "calendar", "hours"],
            ),
        ],
    )
    async def test_invalid_departments_are_422_with_field_errors(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        loc: list[str],
    ) -> None:
        response = await api_client.post("/v1/departments", json=body, headers=admin_headers)

        problem = assert_problem(response, 422, "validation-error")
        assert [e["loc"] for e in problem["errors"]] == [loc]

    async def test_name_may_not_be_set_to_null(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await api_client.patch("/v1/departments/tech", json={"name": None}, headers=admin_headers)
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "name"]

    async def test_unknown_department_is_a_404(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        assert_problem(
            await api_client.get("/v1/departments/moon_base", headers=admin_headers), 404, "not-found"
        )
        response = await api_client.patch(
            "/v1/departments/moon_base", json={"name": "月球"}, headers=admin_headers
        )
        assert_problem(response, 404, "not-found")

    async def test_new_department_hours_drain_its_queue(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], redis: ArqRedis
    ) -> None:
        renamed = await api_client.patch(
            "/v1/departments/logistics", json={"name": "物流部"}, headers=admin_headers
        )
        assert renamed.status_code == 200
        assert await queued_drains(redis, "logistics") == set()

        rehoured = await api_client.patch(
            "/v1/departments/logistics", json={"calendar": SHIFTS}, headers=admin_headers
        )
        assert rehoured.status_code == 200
        assert await queued_drains(redis, "logistics") == {"logistics"}


class TestAgentsApi:
    async def test_create_and_read_carry_the_version_as_etag(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        response = await api_client.post("/v1/agents", json=agent(), headers=admin_headers)

        assert response.status_code == 201, response.text
        created = response.json()
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"/v1/agents/{created['id']}"
        assert created["departments"] == ["finance", "customer_service"]
        assert created["languages"] == ["zh-Hans", "zh-Hant", "en"]
        assert created["status"] == "active"
        assert created["role"] == "agent"
        assert created["schedule"] is None

        read = await api_client.get(f"/v1/agents/{created['id']}", headers=reader_headers)
        assert read.headers["etag"] == '"1"'
        assert read.json() == created

    async def test_unknown_department_is_a_422_naming_it(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await api_client.post(
            "/v1/agents", json=agent(departments=["finance", "moon_base"]), headers=admin_headers
        )

        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"] == [
            {
                "loc": ["body", "departments", 1],
                "msg": "Unknown department 'moon_base'.",
                "type": "unknown_department",
            }
        ]
        listed = (await api_client.get("/v1/agents", headers=admin_headers)).json()
        assert listed["items"] == []

    @pytest.mark.parametrize(
        ("overrides", "loc"),
        [
            ({"capacity": -1}, ["body", "capacity"]),
            ({"languages": ["zh-Hans", ""]}, ["body", "languages", 1]),
            ({"departments": []}, ["body", "departments"]),
            ({"schedule": {"hours": {"tue": ["18:00-09:00"]}}}, ["body", "schedule", "hours"]),
        ],
    )
    async def test_invalid_agents_are_422(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        overrides: dict[str, Any],
        loc: list[str | int],
    ) -> None:
        response = await api_client.post("/v1/agents", json=agent(**overrides), headers=admin_headers)
        problem = assert_problem(response, 422, "validation-error")
        assert [e["loc"] for e in problem["errors"]] == [loc]

    async def test_patch_changes_only_what_is_sent(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        created = await create_agent(api_client, admin_headers)

        response = await api_client.patch(
            f"/v1/agents/{created['id']}",
            json={"capacity": 20, "email": None, "schedule": SHIFTS, "departments": ["logistics"]},
            headers={**admin_headers, "If-Match": '"1"'},
        )

        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"2"'
        body = response.json()
        assert body["capacity"] == 20
        assert body["email"] is None
        assert body["departments"] == ["logistics"]
        assert body["schedule"]["hours"] == SHIFTS["hours"]
        assert body["name"] == "李娜"
        assert body["skills"] == ["refund"]
        assert body["version"] == 2

    async def test_stale_if_match_is_a_412_and_changes_nothing(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        created = await create_agent(api_client, admin_headers)
        url = f"/v1/agents/{created['id']}"
        first = await api_client.patch(
            url, json={"capacity": 5}, headers={**admin_headers, "If-Match": '"1"'}
        )
        assert first.status_code == 200

        stale = await api_client.patch(
            url, json={"status": "away"}, headers={**admin_headers, "If-Match": '"1"'}
        )

        assert_problem(stale, 412, "precondition-failed")
        current = await api_client.get(url, headers=admin_headers)
        assert current.json()["status"] == "active"
        assert current.json()["capacity"] == 5
        assert current.headers["etag"] == '"2"'

    async def test_unknown_department_in_a_patch_is_a_422(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        created = await create_agent(api_client, admin_headers)
        response = await api_client.patch(
            f"/v1/agents/{created['id']}", json={"departments": ["tech", "marketing"]}, headers=admin_headers
        )
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "departments", 1]
        assert "marketing" in problem["errors"][0]["msg"]

    async def test_list_filters_and_pages(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        await create_agent(api_client, admin_headers, name="王芳", departments=["finance"])
        await create_agent(api_client, admin_headers, name="陳大文", departments=["finance"], status="away")
        await create_agent(
            api_client, admin_headers, name="Emily Chen", departments=["logistics"], role="supervisor"
        )

        async def names(**params: Any) -> list[str]:
            page = (await api_client.get("/v1/agents", params=params, headers=admin_headers)).json()
            return [a["name"] for a in page["items"]]

        assert await names(department="finance") == ["王芳", "陳大文"]
        assert await names(department="finance", status="away") == ["陳大文"]
        assert await names(role="supervisor") == ["Emily Chen"]
        first = (await api_client.get("/v1/agents", params={"limit": 2}, headers=admin_headers)).json()
        second = (
            await api_client.get(
                "/v1/agents", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin_headers
            )
        ).json()
        assert [a["name"] for a in first["items"]] == ["王芳", "陳大文"]
        assert [a["name"] for a in second["items"]] == ["Emily Chen"]
        assert second["next_cursor"] is None

    async def test_an_agent_able_to_take_more_work_drains_their_queues(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], redis: ArqRedis
    ) -> None:
        created = await create_agent(
            api_client, admin_headers, departments=["finance", "logistics"], status="away"
        )
        url = f"/v1/agents/{created['id']}"
        assert await queued_drains(redis, "finance", "logistics") == set()

        renamed = await api_client.patch(url, json={"name": "李娜 (财务)"}, headers=admin_headers)
        assert renamed.status_code == 200
        assert await queued_drains(redis, "finance", "logistics") == set()

        back = await api_client.patch(url, json={"status": "active"}, headers=admin_headers)
        assert back.status_code == 200
        assert await queued_drains(redis, "finance", "logistics") == {"finance", "logistics"}

    async def test_a_new_active_agent_drains_their_queues(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], redis: ArqRedis
    ) -> None:
        await create_agent(api_client, admin_headers, departments=["quality"])
        assert await queued_drains(redis, "quality", "finance") == {"quality"}


class TestRoutingRulesApi:
    async def test_seeded_rules_are_listed_in_order(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        rules = (await api_client.get("/v1/routing/rules", headers=reader_headers)).json()["rules"]

        assert [r["position"] for r in rules] == list(range(10, 110, 10))
        assert rules[0]["conditions"] == {"flags": ["legal_threat"]}
        assert rules[0]["department"] == "legal_compliance"
        assert rules[-1]["conditions"] == {}
        assert rules[-1]["department"] == "customer_service"

    async def test_replace_keeps_the_order_sent(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        new_rules = [
            {
                "name": "VIP 支付问题",
                "conditions": {"categories": ["payment_billing"], "tiers": ["vip"], "phrases": ["重复扣款"]},
                "department": "finance",
                "required_skills": ["refund"],
            },
            {"name": "微博舆情", "conditions": {"channels": ["weibo"]}, "department": "legal_compliance"},
            {
                "name": "Store visits",
                "conditions": {"channels": ["store_visit"]},
                "department": "quality",
                "enabled": False,
            },
            {"name": "其他", "department": "customer_service"},
        ]

        replaced = await api_client.put("/v1/routing/rules", json={"rules": new_rules}, headers=admin_headers)

        assert replaced.status_code == 200, replaced.text
        listed = (await api_client.get("/v1/routing/rules", headers=reader_headers)).json()["rules"]
        assert listed == replaced.json()["rules"]
        assert [(r["position"], r["name"]) for r in listed] == [
            (10, "VIP 支付问题"),
            (20, "微博舆情"),
            (30, "Store visits"),
            (40, "其他"),
        ]
        assert listed[0]["conditions"] == {
            "categories": ["payment_billing"],
            "tiers": ["vip"],
            "phrases": ["重复扣款"],
        }
        assert listed[0]["required_skills"] == ["refund"]
        assert [r["enabled"] for r in listed] == [True, True, False, True]
        assert listed[3]["conditions"] == {}

    @pytest.mark.parametrize(
        ("rule", "loc"),
        [
            ({"name": "月球", "department": "moon_base"}, ["body", "rules", 1, "department"]),
            (
                {"name": "天气", "conditions": {"categories": ["weather"]}, "department": "tech"},
                ["body", "rules", 1, "conditions", "categories", 0],
            ),
            (
                {"name": "长句", "conditions": {"phrases": ["很" * 101]}, "department": "tech"},
                ["body", "rules", 1, "conditions", "phrases", 0],
            ),
        ],
    )
    async def test_an_invalid_rule_is_a_422_and_keeps_the_old_list(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        rule: dict[str, Any],
        loc: list[str | int],
    ) -> None:
        rules = [
            {
                "name": "Delivery",
                "conditions": {"categories": ["delivery_logistics"]},
                "department": "logistics",
            }
        ]

        response = await api_client.put(
            "/v1/routing/rules", json={"rules": [*rules, rule]}, headers=admin_headers
        )

        problem = assert_problem(response, 422, "validation-error")
        assert [e["loc"] for e in problem["errors"]] == [loc]
        listed = (await api_client.get("/v1/routing/rules", headers=admin_headers)).json()["rules"]
        assert len(listed) == 10


WRITES = [
    ("POST", "/v1/departments", {"key": "night_shift", "name": "夜班"}),
    ("PATCH", "/v1/departments/tech", {"name": "技术部"}),
    ("POST", "/v1/agents", agent()),
    ("PATCH", "/v1/agents/0193a5c2-7f31-7000-8000-2b3c4d5e6f70", {"status": "away"}),
    ("PUT", "/v1/routing/rules", {"rules": []}),
]
READS = ["/v1/departments", "/v1/departments/tech", "/v1/agents", "/v1/routing/rules"]


class TestRoutingApiAccess:
    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    async def test_writes_need_a_key(
        self, api_client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]
    ) -> None:
        assert_problem(await api_client.request(method, path, json=body), 401, "unauthorized")

    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    async def test_writes_need_the_admin_scope(
        self,
        api_client: httpx.AsyncClient,
        reader_headers: dict[str, str],
        method: str,
        path: str,
        body: dict[str, Any],
    ) -> None:
        response = await api_client.request(method, path, json=body, headers=reader_headers)
        assert_problem(response, 403, "forbidden")

    @pytest.mark.parametrize("path", READS)
    async def test_reads_need_a_key_with_the_read_scope(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], path: str
    ) -> None:
        assert_problem(await api_client.get(path), 401, "unauthorized")
        assert_problem(await api_client.get(path, headers=intake_headers), 403, "forbidden")
