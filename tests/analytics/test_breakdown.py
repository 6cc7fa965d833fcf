"""Figures per group (department, agent, product) on the hand-computed dataset."""

from __future__ import annotations

from typing import Any

import httpx

from tests.analytics.dataset import PERIOD, Dataset, ratio
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson


async def breakdown(client: httpx.AsyncClient, headers: dict[str, str], by: str) -> dict[str | None, Any]:
    response = await client.get(
        "/v1/analytics/breakdown", params={"from": PERIOD[0], "to": PERIOD[1], "by": by}, headers=headers
    )
    assert response.status_code == 200, response.text
    return {item["key"]: item for item in response.json()["items"]}


class TestBreakdown:
    async def test_by_department_splits_every_figure_and_the_backlog(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        groups = await breakdown(api_client, admin_headers, "department")

        assert set(groups) == {"finance", "tech", None}  # c6 was never routed
        finance, tech, unrouted = groups["finance"], groups["tech"], groups[None]
        assert [g["figures"]["volume"] for g in (finance, tech, unrouted)] == [6, 1, 1]
        # Due in the period in finance: c1 c2 c3 c4 c5, met: c1 c2 c4.
        assert finance["figures"]["response_rate"] == ratio(3, 5)
        assert tech["figures"]["response_rate"] == ratio(1, 1)
        # Open now: c3 c5 c8 c9 and the four recent ones in finance; c11 in tech; c6 unrouted.
        assert (finance["open"], tech["open"], unrouted["open"]) == (8, 1, 1)
        assert finance["figures"]["satisfaction"]["answered"] == 4
        assert tech["figures"]["satisfaction"]["answered"] == 0

    async def test_by_agent_names_the_agent_and_keeps_their_satisfaction(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        groups = await breakdown(api_client, admin_headers, "agent")

        agent = groups[str(data.agent_id)]
        assert agent["label"] == data.agent_name
        assert agent["figures"]["volume"] == 2  # c1, c2
        assert agent["figures"]["sla_resolution"] == ratio(1, 2)
        assert agent["figures"]["satisfaction"]["satisfied"] == ratio(1, 2)  # 5 and 3
        assert groups[None]["figures"]["volume"] == 6
        assert groups[None]["label"] is None

    async def test_a_team_lead_gets_per_agent_figures_of_their_departments_only(
        self, api_client: httpx.AsyncClient, make_person: MakePerson, data: Dataset
    ) -> None:
        lead = await make_person("team_lead", ["finance"])

        groups = await breakdown(api_client, lead.headers, "agent")

        assert sum(g["figures"]["volume"] for g in groups.values()) == 6  # c11 (tech) and c6 left out
        assert groups[str(data.agent_id)]["figures"]["volume"] == 2

    async def test_busiest_first_and_limited(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        response = await api_client.get(
            "/v1/analytics/breakdown",
            params={"from": PERIOD[0], "to": PERIOD[1], "by": "department", "limit": 1},
            headers=admin_headers,
        )

        assert [item["key"] for item in response.json()["items"]] == ["finance"]

    async def test_an_unknown_dimension_is_a_field_error(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await api_client.get(
            "/v1/analytics/breakdown", params={"by": "mood"}, headers=admin_headers
        )

        assert assert_problem(response, 422, "validation-error")["errors"][0]["loc"] == ["query", "by"]
