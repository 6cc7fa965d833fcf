"""CSAT per agent and department (scored 4–5 ÷ answered), and the survey list supervisors read."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import PiiAccess
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson, Person
from tests.surveys.helpers import channel_adapter, resolve, survey_token

PAYMENT = "支付失败，钱被扣了两次但订单没生成，请尽快退款。"
CRASH = "App crashes every time I open the order page after updating to 5.2.1."
PHONE = "13912345678"


async def _answered(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    triaged: Triaged,
    agent: Person,
    text: str,
    score: int | None,
    comment: str | None = None,
) -> dict[str, Any]:
    complaint = await triaged(text)
    assert complaint["department"] in agent.departments
    await resolve(client, complaint, agent)
    if score is not None:
        token = await survey_token(sessionmaker, complaint["id"])
        body = {"score": score, **({"comment": comment} if comment else {})}
        assert (await client.post(f"/v1/surveys/{token}", json=body)).status_code == 200
    return complaint


def _by_key(report: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {group["key"]: group for group in report["groups"]}


class TestCsat:
    async def test_csat_per_agent_and_department(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        finance_dept = (await triaged(PAYMENT))["department"]
        tech_dept = (await triaged(CRASH))["department"]
        assert finance_dept != tech_dept
        li = await make_person("agent", [finance_dept], name="李娜")
        wang = await make_person("agent", [finance_dept], name="王强")
        chen = await make_person("agent", [tech_dept], name="Chen")
        for score in (5, 4, 1):
            await _answered(api_client, sessionmaker, triaged, li, PAYMENT, score)
        await _answered(api_client, sessionmaker, triaged, wang, PAYMENT, 3)
        await _answered(api_client, sessionmaker, triaged, chen, CRASH, 5)
        await _answered(api_client, sessionmaker, triaged, chen, CRASH, None)  # sent, never answered
        supervisor = await make_person("supervisor", [finance_dept])

        by_agent = await api_client.get("/v1/surveys/csat?group_by=agent", headers=supervisor.headers)
        assert by_agent.status_code == 200, by_agent.text
        report = by_agent.json()
        assert report["overall"] == {
            "sent": 6,
            "answered": 5,
            "satisfied": 3,
            "csat": 0.6,
            "average_score": 3.6,
            "response_rate": round(5 / 6, 4),
        }
        groups = _by_key(report)
        assert (groups[str(li.id)]["answered"], groups[str(li.id)]["csat"]) == (3, round(2 / 3, 4))
        assert (groups[str(wang.id)]["answered"], groups[str(wang.id)]["csat"]) == (1, 0.0)
        assert (
            groups[str(chen.id)]["sent"],
            groups[str(chen.id)]["answered"],
            groups[str(chen.id)]["csat"],
        ) == (
            2,
            1,
            1.0,
        )

        by_department = (
            await api_client.get("/v1/surveys/csat?group_by=department", headers=supervisor.headers)
        ).json()
        departments = _by_key(by_department)
        assert (departments[finance_dept]["answered"], departments[finance_dept]["csat"]) == (4, 0.5)
        assert departments[tech_dept]["csat"] == 1.0

        one_agent = (
            await api_client.get(
                f"/v1/surveys/csat?department={finance_dept}&agent_id={li.id}", headers=supervisor.headers
            )
        ).json()
        assert (one_agent["overall"]["answered"], one_agent["groups"]) == (3, [])

    async def test_supervisors_list_surveys_with_comments_masked_unless_pii_read(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        department = (await triaged(PAYMENT))["department"]
        agent = await make_person("agent", [department])
        complaint = await _answered(
            api_client, sessionmaker, triaged, agent, PAYMENT, 2, comment=f"退款没到账，请打 {PHONE} 联系我"
        )
        supervisor = await make_person("supervisor", [department])
        auditor = await make_person("supervisor", [department], scopes=["pii:read"])

        assert_problem(await api_client.get("/v1/surveys", headers=agent.headers), 403, "forbidden")
        assert_problem(await api_client.get("/v1/surveys/csat", headers=agent.headers), 403, "forbidden")
        assert_problem(await api_client.get("/v1/surveys"), 401, "unauthorized")

        listed = await api_client.get(f"/v1/surveys?agent_id={agent.id}", headers=supervisor.headers)
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["items"]
        assert (item["complaint_id"], item["score"], item["status"]) == (complaint["id"], 2, "answered")
        assert PHONE not in item["comment"]
        assert "退款没到账" in item["comment"]

        revealed = (
            await api_client.get(f"/v1/surveys?department={department}", headers=auditor.headers)
        ).json()
        assert PHONE in revealed["items"][0]["comment"]
        async with sessionmaker() as session:
            audit = (await session.scalars(select(PiiAccess).where(PiiAccess.user_id == auditor.id))).all()
        assert [(a.resource, a.complaint_id, a.kinds) for a in audit] == [
            ("surveys", uuid.UUID(complaint["id"]), ["phone"])
        ]
        assert (await api_client.get("/v1/surveys?department=logistics", headers=supervisor.headers)).json()[
            "items"
        ] == []
