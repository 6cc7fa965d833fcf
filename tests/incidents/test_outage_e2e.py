"""Acceptance: forty customers report one outage; one incident; its resolution reaches all forty."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from arq.connections import ArqRedis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import IncidentComplaint
from complaint_service.settings import IncidentConfig, Settings
from tests.e2e.test_pipeline import fast
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson
from tests.fixtures.senders import submit
from tests.fixtures.worker import run_until
from tests.incidents.texts import CRASH_EN, CRASH_HANS, CRASH_HANT
from tests.outbound.helpers import create_endpoint

CHANNELS = ["app_feedback", "wechat", "web_form", "email"]
ANNOUNCEMENT = (
    "您好，5.2.1 版本闪退问题已修复，请升级到 5.2.2。The crash in 5.2.1 is fixed: please update to 5.2.2."
)


def customer_messages(receiver: Receiver, body: str) -> list[dict[str, Any]]:
    payloads = [json.loads(r.body) for r in receiver.received]
    return [p for p in payloads if p["type"] == "message.outbound" and p["data"]["body"] == body]


class TestOutage:
    async def test_forty_customers_one_incident_one_announcement_each_through_their_channel(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        admin_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
        http_receiver: Receiver,
        make_person: MakePerson,
    ) -> None:
        await create_endpoint(
            api_client,
            admin_headers,
            url=http_receiver.url,
            name="Channel adapters and supervisors' feed",
            channels=CHANNELS,
            event_types=["incident.opened", "incident.resolved"],
        )
        texts = [*CRASH_HANS, *CRASH_HANT, *CRASH_EN]
        ids = [
            await submit(
                api_client,
                intake_headers,
                texts[n % len(texts)],
                sender=n,
                channel=CHANNELS[n % len(CHANNELS)],
                app_version="5.2.1",
            )
            for n in range(40)
        ]
        quick = fast(settings).model_copy(update={"incidents": IncidentConfig(sweep_delay_seconds=1)})

        async def all_linked() -> bool:
            async with sessionmaker() as session:
                return await session.scalar(select(func.count()).select_from(IncidentComplaint)) == 40

        await run_until(quick, all_linked, workers=2, timeout=90)

        supervisor = await make_person("supervisor", [])
        [incident] = (await api_client.get("/v1/incidents", headers=supervisor.headers)).json()["items"]
        assert incident["counts"] == {
            "complaints": 40,
            "customers": 40,
            "open": 40,
            "resolved": 0,
            "closed": 0,
        }
        assert (incident["category"], incident["app_version"], incident["automatic"]) == (
            "product_defect",
            "5.2.1",
            True,
        )
        opened = [json.loads(r.body) for r in http_receiver.received]
        assert [p["data"]["incident_id"] for p in opened if p["type"] == "incident.opened"] == [
            incident["id"]
        ]

        resolved = await api_client.post(
            f"/v1/incidents/{incident['id']}/resolve",
            json={"summary": "5.2.2 修复了启动闪退", "announcement": ANNOUNCEMENT},
            headers=supervisor.headers,
        )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["status"] == "resolved"

        async def all_told() -> bool:
            return len(customer_messages(http_receiver, ANNOUNCEMENT)) >= 40

        await run_until(quick, all_told, workers=2, timeout=90)

        told = customer_messages(http_receiver, ANNOUNCEMENT)
        assert len(told) == 40
        assert {uuid.UUID(p["complaint_id"]) for p in told} == set(ids)
        assert {p["data"]["channel"] for p in told} == set(CHANNELS)
        after = (await api_client.get(f"/v1/incidents/{incident['id']}", headers=supervisor.headers)).json()
        assert after["counts"]["resolved"] == 40
        timeline = (
            await api_client.get(f"/v1/incidents/{incident['id']}/timeline", headers=supervisor.headers)
        ).json()["items"]
        types = [e["type"] for e in timeline]
        assert types[0] == "incident.opened"
        assert types[-2:] == ["incident.resolved", "incident.update_sent"]
