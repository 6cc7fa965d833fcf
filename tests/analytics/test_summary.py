"""Every figure of the summary against hand-computed values on tests/analytics/dataset.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from tests.analytics import dataset
from tests.analytics.dataset import PERIOD, Dataset, ratio
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson


def stats(values: list[float]) -> dict[str, Any]:
    """percentile_cont by hand: the value at position p·(n−1), interpolated between neighbours."""
    ordered = sorted(values)

    def percentile(p: float) -> float:
        position = p * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return {
        "count": len(ordered),
        "average_seconds": sum(ordered) / len(ordered),
        "median_seconds": percentile(0.5),
        "p90_seconds": percentile(0.9),
    }


H = 3600
# First answered in the period: c1, c2, c3, c4, c9, c11.
FIRST_RESPONSE_BUSINESS = [
    2 * H,  # c1: Fri 17:00–18:00 and Mon 09:00–10:00, across the weekend
    H / 2,  # c2
    5 * H,  # c3: received on Saturday, counted from Monday 09:00
    H / 2,  # c4: P1, round the clock
    18 * H,  # c9: Thu and Fri, nothing on Monday before 09:00
    H,  # c11
]
FIRST_RESPONSE_WALL = [65 * H, H / 2, 52 * H, H / 2, 96 * H, H]
# Resolved in the period: c1, c2, c4, c7.
RESOLUTION_BUSINESS = [16 * H, 19.5 * H, 12 * H, 45 * H]
RESOLUTION_WALL = [94 * H, 49.5 * H, 12 * H, 168 * H]

EXPECTED_FIGURES: dict[str, Any] = {
    "volume": 8,  # c1 c2 c3 c4 c5 c6 c8 c11 (c10 is merged)
    "response_rate": ratio(4, 6),  # due in the period: c1 c2 c3 c4 c5 c11; met: c1 c2 c4 c11
    "resolution_rate": ratio(2, 8),  # c1, c2 (closed after resolution); c4 was reopened
    "sla_first_response": ratio(4, 6),  # answered: c1 c2 c3 c4 c9 c11; c3 and c9 late
    "sla_resolution": ratio(2, 4),  # resolved: c1 c2 c4 c7; c2 and c7 late
    "first_response_time": {"business": stats(FIRST_RESPONSE_BUSINESS), "wall": stats(FIRST_RESPONSE_WALL)},
    "resolution_time": {"business": stats(RESOLUTION_BUSINESS), "wall": stats(RESOLUTION_WALL)},
    "repeat_rate": ratio(2, 8),  # c3, c4
    "reopen_rate": ratio(1, 3),  # c4 of c1 c2 c4
    "abuse_share": ratio(1, 8),  # c5
    "escalations": ratio(2, 8),  # c2, c3
    "conversion": ratio(2, 3),  # K1 and K4 of K1 K2 K4
    "satisfaction": {
        "answered": 4,  # c1's 5, c2's 3, c7's 4, c12's 1 (sent before the period)
        "average_score": 3.25,
        "satisfied": ratio(2, 4),
        "answer_rate": ratio(3, 4),  # sent: c1 c2 c4 (pending) c7; c4's superseded one left out
    },
}
# By hand too: the hand-computed statistics, in case the helper above were wrong.
assert stats(FIRST_RESPONSE_BUSINESS) == {
    "count": 6,
    "average_seconds": 16200,
    "median_seconds": 5400,
    "p90_seconds": 41400,
}
assert stats(RESOLUTION_BUSINESS) == pytest.approx(
    {"count": 4, "average_seconds": 83250, "median_seconds": 63900, "p90_seconds": 134460}
)
EXPECTED_BACKLOG = {
    "total": 10,
    "by_status": [
        {"status": "new", "total": 2, "under_4h": 1, "from_4h_to_24h": 0, "from_1d_to_3d": 0, "over_3d": 1},
        {
            "status": "triaged",
            "total": 1,
            "under_4h": 0,
            "from_4h_to_24h": 1,
            "from_1d_to_3d": 0,
            "over_3d": 0,
        },
        {
            "status": "assigned",
            "total": 2,
            "under_4h": 0,
            "from_4h_to_24h": 0,
            "from_1d_to_3d": 1,
            "over_3d": 1,
        },
        {
            "status": "in_progress",
            "total": 4,
            "under_4h": 0,
            "from_4h_to_24h": 0,
            "from_1d_to_3d": 0,
            "over_3d": 4,
        },
        {
            "status": "pending_customer",
            "total": 1,
            "under_4h": 0,
            "from_4h_to_24h": 0,
            "from_1d_to_3d": 0,
            "over_3d": 1,
        },
    ],
}


def assert_matches(actual: Any, expected: Any, path: str = "") -> None:
    """Exact for counts and keys; floats to 1e-9 (percentile_cont is double precision)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(expected), path
        for key, value in expected.items():
            assert_matches(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        assert len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(a, e, f"{path}[{index}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9), path
    else:
        assert actual == expected, path


async def summary(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/analytics/summary", params={"from": PERIOD[0], "to": PERIOD[1], **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestSummary:
    async def test_every_figure_equals_the_hand_computed_value(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        body = await summary(api_client, admin_headers)

        assert_matches(body["figures"], EXPECTED_FIGURES)
        assert_matches(body["backlog"], EXPECTED_BACKLOG)
        assert body["period"] == {
            "from": "2025-11-10T00:00:00+08:00",
            "to": "2025-11-24T00:00:00+08:00",
            "timezone": "Asia/Shanghai",
        }
        assert body["targets"]["response_rate"] == 0.95

    async def test_times_without_offset_are_in_the_configured_zone(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        naive = await summary(
            api_client, admin_headers, **{"from": "2025-11-10T00:00:00", "to": "2025-11-24"}
        )
        after_c2 = await summary(api_client, admin_headers, **{"from": "2025-11-10T09:45:00"})
        same_instant = await summary(api_client, admin_headers, **{"from": "2025-11-10T01:45:00Z"})

        assert_matches(naive["figures"], EXPECTED_FIGURES)
        # c2 was received at 09:30 Shanghai time.
        assert after_c2["figures"]["volume"] == same_instant["figures"]["volume"] == 7
        assert after_c2["period"]["from"] == "2025-11-10T09:45:00+08:00"

    async def test_filters_narrow_every_population(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        tech = (await summary(api_client, admin_headers, department="tech"))["figures"]
        wechat = (await summary(api_client, admin_headers, channel="wechat"))["figures"]
        agent = (await summary(api_client, admin_headers, agent_id=str(data.agent_id)))["figures"]
        p1 = (await summary(api_client, admin_headers, urgency="P1"))["figures"]

        assert (tech["volume"], tech["response_rate"], tech["sla_resolution"]["denominator"]) == (
            1,
            ratio(1, 1),
            0,
        )
        assert (wechat["volume"], wechat["escalations"], wechat["sla_resolution"]) == (
            1,
            ratio(1, 1),
            ratio(0, 1),
        )
        # c1 and c2 are assigned to the agent; their surveys carry the agent too.
        assert (agent["volume"], agent["resolution_rate"], agent["satisfaction"]["satisfied"]) == (
            2,
            ratio(2, 2),
            ratio(1, 2),
        )
        assert (p1["volume"], p1["reopen_rate"], p1["resolution_time"]["business"]["median_seconds"]) == (
            1,
            ratio(1, 1),
            12 * H,
        )

    async def test_a_future_due_time_counts_only_once_decided(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        now = utcnow()
        await dataset.seed_pending_response(sessionmaker, now=now)
        period = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=1)).isoformat()}

        body = (await api_client.get("/v1/analytics/summary", params=period, headers=admin_headers)).json()

        # Both are due in two hours: the one answered already is decided (met), the other not yet.
        assert body["figures"]["response_rate"] == ratio(1, 1)
        assert body["figures"]["volume"] == 2


class TestAccess:
    async def test_team_leads_see_their_departments_only(
        self, api_client: httpx.AsyncClient, make_person: MakePerson, data: Dataset
    ) -> None:
        lead = await make_person("team_lead", ["tech"])
        agent = await make_person("agent", ["tech"])
        supervisor = await make_person("supervisor", [])

        own = await summary(api_client, lead.headers)
        other = await api_client.get(
            "/v1/analytics/summary", params={"department": "finance"}, headers=lead.headers
        )
        refused = await api_client.get("/v1/analytics/summary", headers=agent.headers)
        everything = await summary(api_client, supervisor.headers)

        assert own["figures"]["volume"] == 1  # c11 only
        assert own["backlog"]["total"] == 1
        assert_problem(other, 403, "forbidden")
        assert_problem(refused, 403, "forbidden")
        assert everything["figures"]["volume"] == 8

    async def test_bad_periods_are_field_errors(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        backwards = await api_client.get(
            "/v1/analytics/summary", params={"from": PERIOD[1], "to": PERIOD[0]}, headers=admin_headers
        )
        too_long = await api_client.get(
            "/v1/analytics/summary", params={"from": "2020-01-01", "to": "2025-01-01"}, headers=admin_headers
        )
        not_a_time = await api_client.get(
            "/v1/analytics/summary", params={"from": "soon"}, headers=admin_headers
        )

        assert assert_problem(backwards, 422, "validation-error")["errors"][0]["loc"] == ["query", "to"]
        assert assert_problem(too_long, 422, "validation-error")["errors"][0]["loc"] == ["query", "from"]
        assert_problem(not_a_time, 422, "validation-error")
