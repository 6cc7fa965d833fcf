"""Classification rules are versioned and editable at run time; triage uses the newest version."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.triage import service as triage_service
from tests.fixtures.builders import assert_problem

DRONE_RULE: dict[str, Any] = {
    "id": "cat.product_quality.drone",
    "kind": "category",
    "category": "product_quality",
    "phrases": ["无人机螺旋桨"],
    "languages": ["zh-Hans"],
    "weight": 2.0,
}


class TestTriageRulesApi:
    async def test_shipped_defaults_are_in_force_until_an_edit(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        body = (await api_client.get("/v1/triage/rules", headers=reader_headers)).json()
        assert body["created_by"] == "shipped defaults"
        assert len(body["rules"]) > 40

    async def test_publishing_a_version_changes_decisions_and_keeps_history(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        reader_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        before = await api_client.post(
            "/v1/triage/classify", json={"text": "无人机螺旋桨断了"}, headers=reader_headers
        )
        current = (await api_client.get("/v1/triage/rules", headers=reader_headers)).json()

        published = await api_client.put(
            "/v1/triage/rules",
            json={"rules": [*current["rules"], DRONE_RULE], "min_confidence": 0.4},
            headers=admin_headers,
        )
        after = await api_client.post(
            "/v1/triage/classify", json={"text": "无人机螺旋桨断了"}, headers=reader_headers
        )
        old = await api_client.get(f"/v1/triage/rules/versions/{current['version']}", headers=reader_headers)

        assert before.json()["category"] == "other"
        assert before.json()["needs_review"] is True
        assert published.status_code == 201
        assert published.json()["version"] == current["version"] + 1
        assert published.json()["created_by"] == "api_key:admin"
        decision = after.json()
        assert decision["category"] == "product_quality"
        assert decision["rule_version"] == current["version"] + 1
        assert decision["matches"][0]["rule_id"] == "cat.product_quality.drone"
        assert old.status_code == 200
        assert len(old.json()["rules"]) == len(current["rules"])
        async with sessionmaker() as session:
            rules, _ = await triage_service.current_rules(session)
        assert rules.version == current["version"] + 1

    async def test_invalid_rules_are_422_and_non_admins_403(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        bad = {"rules": [{**DRONE_RULE, "category": "teleportation"}]}
        assert_problem(
            await api_client.put("/v1/triage/rules", json=bad, headers=admin_headers), 422, "validation-error"
        )
        ok = {"rules": [DRONE_RULE]}
        assert_problem(
            await api_client.put("/v1/triage/rules", json=ok, headers=reader_headers), 403, "forbidden"
        )
        assert_problem(await api_client.get("/v1/triage/rules/versions/999"), 401, "unauthorized")
        missing = await api_client.get("/v1/triage/rules/versions/999", headers=reader_headers)
        assert_problem(missing, 404, "not-found")
