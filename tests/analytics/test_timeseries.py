"""Time series in the configured time zone, each count in the bucket of its own event."""

from __future__ import annotations

from typing import Any

import httpx

from tests.analytics.dataset import PERIOD, Dataset, ratio
from tests.fixtures.builders import assert_problem

EMPTY = {"rate": None, "numerator": 0, "denominator": 0}


async def series(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/analytics/timeseries", params={"from": PERIOD[0], "to": PERIOD[1], **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestTimeseries:
    async def test_days_start_at_local_midnight_and_hold_their_own_events(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        body = await series(api_client, admin_headers, bucket="day")
        points = {p["start"][:10]: p for p in body["points"]}

        assert len(points) == 14
        assert next(iter(points.values()))["start"] == "2025-11-10T00:00:00+08:00"
        monday = points["2025-11-10"]
        # Received c2; first answered c2 (met) and c9 (late); resolved c7 (late); c2 due that day.
        assert (monday["received"], monday["first_answered"], monday["resolved"]) == (1, 2, 1)
        assert monday["response_rate"] == ratio(1, 1)
        assert monday["sla_first_response"] == ratio(1, 2)
        assert monday["sla_resolution"] == ratio(0, 1)
        assert monday["first_response_median_business_seconds"] == (1800 + 64800) / 2
        assert monday["resolution_median_business_seconds"] == 162000
        wednesday = points["2025-11-12"]
        # c5 due and never answered; c2 (late) and c4 (met) resolved.
        assert wednesday["response_rate"] == ratio(0, 1)
        assert wednesday["sla_resolution"] == ratio(1, 2)
        assert wednesday["sla_first_response"] == EMPTY
        assert wednesday["first_response_median_business_seconds"] is None
        assert points["2025-11-17"]["response_rate"] == ratio(1, 2)  # c1 met, c3 late
        assert [p["received"] for p in points.values()] == [1, 2, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]

    async def test_weeks_start_on_monday_and_hours_cover_every_hour(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        weeks = (await series(api_client, admin_headers, bucket="week"))["points"]
        hours = (await series(api_client, admin_headers, bucket="hour"))["points"]

        assert [(w["start"], w["received"], w["resolved"]) for w in weeks] == [
            ("2025-11-10T00:00:00+08:00", 6, 3),
            ("2025-11-17T00:00:00+08:00", 2, 1),
        ]
        assert len(hours) == 14 * 24
        busy = [(h["start"], h["received"]) for h in hours if h["received"]]
        assert ("2025-11-14T17:00:00+08:00", 1) in busy  # c1
        assert sum(count for _, count in busy) == 8

    async def test_a_period_starting_mid_day_counts_only_from_its_start(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], data: Dataset
    ) -> None:
        body = await series(api_client, admin_headers, bucket="day", **{"from": "2025-11-10T12:00:00"})
        points = body["points"]

        first = points[0]
        assert first["start"] == "2025-11-10T00:00:00+08:00"
        assert (first["received"], first["first_answered"], first["resolved"]) == (0, 0, 0)  # all before noon
        assert first["response_rate"] == ratio(1, 1)  # c2 was due at 13:30

    async def test_too_many_buckets_is_a_field_error(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await api_client.get(
            "/v1/analytics/timeseries",
            params={"from": "2025-01-01", "to": "2025-05-01", "bucket": "hour"},
            headers=admin_headers,
        )

        assert assert_problem(response, 422, "validation-error")["errors"][0]["loc"] == ["query", "bucket"]
