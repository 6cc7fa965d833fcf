"""The alerts API: supervisors list and acknowledge; agents and reading integrations may not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Alert
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def _add_alerts(sessionmaker: async_sessionmaker[AsyncSession], *values: str) -> list[uuid.UUID]:
    alerts = [
        Alert(
            dimension="app_version",
            value=value,
            window_start=START + timedelta(minutes=i),
            window_end=START + timedelta(minutes=60 + i),
            count=40,
            baseline_mean=3.0,
            baseline_stddev=1.0,
            threshold=6.0,
        )
        for i, value in enumerate(values)
    ]
    async with sessionmaker() as session, session.begin():
        session.add_all(alerts)
    return [a.id for a in alerts]


class TestAlertsApi:
    async def test_a_supervisor_pages_newest_first_and_acknowledges_once(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        make_person: MakePerson,
    ) -> None:
        first, second, third = await _add_alerts(sessionmaker, "5.2.0", "5.2.1", "5.3.0")
        alice = await make_person("supervisor", [])
        bob = await make_person("supervisor", [])

        page = (await api_client.get("/v1/alerts?limit=2", headers=alice.headers)).json()
        assert [a["id"] for a in page["items"]] == [str(third), str(second)]
        rest = await api_client.get(f"/v1/alerts?cursor={page['next_cursor']}", headers=alice.headers)
        assert [a["id"] for a in rest.json()["items"]] == [str(first)]

        acked = await api_client.post(f"/v1/alerts/{second}/acknowledge", headers=alice.headers)
        assert acked.status_code == 200, acked.text
        assert acked.json()["acknowledged_by"] == f"user:{alice.id}"
        again = await api_client.post(f"/v1/alerts/{second}/acknowledge", headers=bob.headers)
        assert again.json()["acknowledged_by"] == f"user:{alice.id}"
        assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]

        open_ = await api_client.get("/v1/alerts?acknowledged=false", headers=bob.headers)
        assert [a["id"] for a in open_.json()["items"]] == [str(third), str(first)]
        done = await api_client.get("/v1/alerts?acknowledged=true", headers=bob.headers)
        assert [a["id"] for a in done.json()["items"]] == [str(second)]
        one = await api_client.get(f"/v1/alerts/{second}", headers=bob.headers)
        assert one.json()["value"] == "5.2.1"

    async def test_below_supervisor_is_forbidden(
        self,
        api_client: httpx.AsyncClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        make_person: MakePerson,
        reader_headers: dict[str, str],
    ) -> None:
        [alert_id] = await _add_alerts(sessionmaker, "5.2.0")
        lead = await make_person("team_lead", ["tech"])

        assert_problem(await api_client.get("/v1/alerts", headers=lead.headers), 403, "forbidden")
        assert_problem(
            await api_client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=reader_headers),
            403,
            "forbidden",
        )
        assert_problem(await api_client.get("/v1/alerts"), 401, "unauthorized")

    async def test_unknown_alerts_and_bad_filters_are_problems(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        missing = uuid.uuid4()
        assert_problem(
            await api_client.post(f"/v1/alerts/{missing}/acknowledge", headers=admin_headers),
            404,
            "not-found",
        )
        assert_problem(
            await api_client.get("/v1/alerts?dimension=colour", headers=admin_headers),
            422,
            "validation-error",
        )
        assert_problem(
            await api_client.get("/v1/alerts?cursor=%%%", headers=admin_headers), 400, "bad-request"
        )
