"""Suggestions for a complaint (solutions and solved cases), and replies that record a solution's use."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.knowledge import service as knowledge_service
from complaint_service.models import Complaint, Message, Solution
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.people import MakePerson, Person
from tests.knowledge.test_solutions import CRASH, DELIVERY_LATE, DOUBLE_CHARGE, REFUND_LATE
from tests.surveys.helpers import resolve

LOST_ORDER = "昨天付款成功了，钱扣了，但是订单一直没有生成，请帮我处理。"
LOST_ORDER_AGAIN = "付款成功了但是订单没有生成，钱已经扣了，怎么回事？"
LOST_ORDER_TRADITIONAL = "付款成功了，錢也扣了，但是訂單一直沒有生成，請盡快處理。"
PARCEL = "快递已经一周了还没送到，物流信息一直不更新。"


async def _solutions(client: httpx.AsyncClient, person: Person) -> dict[str, str]:
    ids = {}
    for name, spec in (
        ("double", DOUBLE_CHARGE),
        ("refund", REFUND_LATE),
        ("delivery", DELIVERY_LATE),
        ("crash", CRASH),
    ):
        response = await client.post("/v1/solutions", json=spec, headers=person.headers)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


async def _suggest(client: httpx.AsyncClient, complaint_id: str, person: Person) -> dict[str, Any]:
    response = await client.get(f"/v1/complaints/{complaint_id}/suggestions", headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestSuggestions:
    async def test_the_right_solution_and_the_similar_solved_complaint_come_first(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        solved = await triaged(LOST_ORDER_AGAIN)
        department = solved["department"]
        agent = await make_person("agent", [department])
        ids = await _solutions(api_client, agent)
        await resolve(api_client, solved, agent, code="compensated", summary="渠道掉单，已补单并补偿20元券。")
        duplicate = await triaged(LOST_ORDER_AGAIN)
        await resolve(api_client, duplicate, agent, code="duplicate", summary="重复投诉")
        parcel = await triaged(PARCEL)
        await resolve(
            api_client, parcel, await make_person("agent", [parcel["department"]]), summary="已催件"
        )
        elsewhere = await triaged(LOST_ORDER_TRADITIONAL)
        await resolve(
            api_client, elsewhere, await make_person("agent", [elsewhere["department"]]), summary="已補單。"
        )
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Complaint)
                .where(Complaint.id == uuid.UUID(elsewhere["id"]))
                .values(department="security")
            )
        new = await triaged(LOST_ORDER)

        suggested = await _suggest(api_client, new["id"], agent)
        first = suggested["solutions"][0]
        assert (first["id"], first["same_category"]) == (ids["double"], True)
        assert ids["crash"] not in [s["id"] for s in suggested["solutions"]]
        assert all(s["score"] <= first["score"] for s in suggested["solutions"])
        cases = suggested["complaints"]
        assert cases[0]["id"] == solved["id"]
        assert (cases[0]["resolution_code"], cases[0]["resolution_summary"]) == (
            "compensated",
            "渠道掉单，已补单并补偿20元券。",
        )
        assert cases[0]["score"] >= 0.5
        shown = {c["id"] for c in cases}
        assert duplicate["id"] not in shown  # a duplicate says nothing about how to solve it
        assert parcel["id"] not in shown
        assert elsewhere["id"] not in shown  # another department's complaint, invisible to this agent
        assert new["id"] not in shown

        supervisor = await make_person("supervisor", [department])
        seen_by_supervisor = {
            c["id"] for c in (await _suggest(api_client, new["id"], supervisor))["complaints"]
        }
        assert {solved["id"], elsewhere["id"]} <= seen_by_supervisor

        outsider = await make_person("agent", ["logistics" if department != "logistics" else "tech"])
        assert_problem(
            await api_client.get(f"/v1/complaints/{new['id']}/suggestions", headers=outsider.headers),
            403,
            "forbidden",
        )


class TestRecordUse:
    async def test_a_reply_with_a_solution_counts_it_on_the_timeline(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        complaint = await triaged(LOST_ORDER)
        agent = await make_person("agent", [complaint["department"]])
        ids = await _solutions(api_client, agent)
        base = f"/v1/complaints/{complaint['id']}"
        assert (await api_client.post(f"{base}/claim", json={}, headers=agent.headers)).status_code == 200
        before = (await api_client.get(f"/v1/solutions/{ids['double']}", headers=agent.headers)).json()

        reply = await api_client.post(
            f"{base}/replies",
            json={"body": "您好，经核实为支付渠道掉单，已为您补单。", "solution_id": ids["double"]},
            headers=agent.headers,
        )
        assert reply.status_code == 201, reply.text

        after = (await api_client.get(f"/v1/solutions/{ids['double']}", headers=agent.headers)).json()
        assert after["usage_count"] == 1
        assert (after["version"], after["updated_at"]) == (before["version"], before["updated_at"])
        timeline = (await api_client.get(f"{base}/timeline", headers=agent.headers)).json()["items"]
        [used] = [e for e in timeline if e["type"] == "solution.used"]
        assert used["data"]["solution_id"] == ids["double"]
        assert used["data"]["message_id"] == reply.json()["id"]
        assert used["actor"] == f"user:{agent.id}"

        unknown = await api_client.post(
            f"{base}/replies",
            json={"body": "再次回复", "solution_id": str(uuid.uuid4())},
            headers=agent.headers,
        )
        problem = assert_problem(unknown, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "solution_id"]
        async with sessionmaker() as session:
            public = await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.complaint_id == uuid.UUID(complaint["id"]), Message.body == "再次回复")
            )
        assert public == 0  # the refused reply was rolled back with it

    async def test_record_use_counts_each_use(
        self,
        triaged: Triaged,
        sessionmaker: async_sessionmaker[AsyncSession],
        api_client: httpx.AsyncClient,
        make_person: MakePerson,
    ) -> None:
        complaint_ref = await triaged(LOST_ORDER)
        ids = await _solutions(api_client, await make_person("agent", [complaint_ref["department"]]))
        solution_id = uuid.UUID(ids["refund"])
        for _ in range(2):
            async with sessionmaker() as session, session.begin():
                complaint = await session.get_one(Complaint, uuid.UUID(complaint_ref["id"]))
                await knowledge_service.record_use(
                    session, solution_id=solution_id, complaint=complaint, actor="user:tester"
                )
        async with sessionmaker() as session:
            solution = await session.get_one(Solution, solution_id)
        assert (solution.usage_count, solution.version) == (2, 1)
