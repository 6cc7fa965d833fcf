"""Satisfaction surveys: sent on resolution through the channel, answered once by link, second handling."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
from arq.connections import ArqRedis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import Complaint, Message, Survey, WebhookDelivery
from complaint_service.settings import Settings
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.http_server import Receiver
from tests.fixtures.people import MakePerson
from tests.fixtures.worker import run_until
from tests.surveys.helpers import (
    channel_adapter,
    on_duty_supervisor,
    resolve,
    survey_links,
    survey_token,
)

SIMPLIFIED = "订单202611220001支付失败，钱被扣了两次但订单没生成，请尽快退款。"
TRADITIONAL = "訂單202611220002支付失敗，錢被扣了兩次但訂單沒有生成，請盡快退款，謝謝。"
ENGLISH = "I was charged twice for order 202611220003 and the order was never created. Please refund me."


async def _surveys(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> list[Survey]:
    async with sessionmaker() as session:
        query = select(Survey).where(Survey.complaint_id == uuid.UUID(complaint_id)).order_by(Survey.id)
        return list((await session.scalars(query)).all())


async def _complaint(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> Complaint:
    async with sessionmaker() as session:
        return await session.get_one(Complaint, uuid.UUID(complaint_id))


async def _timeline_types(client: httpx.AsyncClient, complaint_id: str, headers: dict[str, str]) -> list[str]:
    response = await client.get(f"/v1/complaints/{complaint_id}/timeline", headers=headers)
    return [event["type"] for event in response.json()["items"]]


class TestOffer:
    async def test_resolution_sends_a_single_use_link_through_the_channel_webhook(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: ArqRedis,
        settings: Settings,
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(SIMPLIFIED)
        agent = await make_person("agent", [complaint["department"]])
        await resolve(api_client, complaint, agent)

        def surveys_received() -> list[dict[str, Any]]:
            payloads = [json.loads(r.body) for r in http_receiver.received]
            return [p for p in payloads if p["type"] == "message.outbound" and p["data"]["kind"] == "survey"]

        async def delivered() -> bool:
            return bool(surveys_received())

        await run_until(settings, delivered)
        [payload] = surveys_received()
        body = payload["data"]["body"]
        assert payload["complaint_id"] == complaint["id"]
        assert "请为我们的处理打分" in body  # the customer's language (Simplified Chinese)
        [(link, token)] = await survey_links(sessionmaker, complaint["id"])
        assert link in body
        assert link == f"{settings.public_base_url}/v1/surveys/{token}"
        assert len(token) >= 3 + 43  # "sv_" and 256 random bits in base64url

        [survey] = await _surveys(sessionmaker, complaint["id"])
        assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert (survey.status, survey.agent_id, survey.department) == (
            "pending",
            agent.id,
            complaint["department"],
        )
        async with sessionmaker() as session:
            stored = await session.get_one(Message, survey.message_id)
        assert token not in stored.body  # agents reading the thread cannot vote for the customer
        assert "[survey link]" in stored.body

        page = await api_client.get(f"/v1/surveys/{token}")
        assert page.status_code == 200, page.text
        shown = page.json()
        assert (shown["state"], shown["language"], shown["min_score"], shown["max_score"]) == (
            "open",
            "zh-Hans",
            1,
            5,
        )
        reference = (await _complaint(sessionmaker, complaint["id"])).reference
        assert reference in shown["question"]
        assert "13812345678" not in page.text
        assert "survey.sent" in await _timeline_types(api_client, complaint["id"], admin_headers)

    async def test_no_survey_for_duplicates_or_senders_that_must_not_be_auto_answered(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        duplicate = await triaged(SIMPLIFIED)
        agent = await make_person("agent", [duplicate["department"]])
        await resolve(api_client, duplicate, agent, code="duplicate", summary="与另一投诉重复")
        daemon = await triaged(ENGLISH)
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Complaint)
                .where(Complaint.id == uuid.UUID(daemon["id"]))
                .values(flags=["no_auto_reply"])
            )
        await resolve(api_client, daemon, await make_person("agent", [daemon["department"]]))
        solved = await triaged(TRADITIONAL)
        await resolve(api_client, solved, await make_person("agent", [solved["department"]]))

        assert await _surveys(sessionmaker, duplicate["id"]) == []
        assert await _surveys(sessionmaker, daemon["id"]) == []
        assert len(await _surveys(sessionmaker, solved["id"])) == 1

    async def test_resolving_again_replaces_the_unanswered_link(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(ENGLISH)
        agent = await make_person("agent", [complaint["department"]])
        await resolve(api_client, complaint, agent)
        first = await survey_token(sessionmaker, complaint["id"])
        base = f"/v1/complaints/{complaint['id']}"
        reopened = await api_client.post(
            f"{base}/reopen", json={"reason": "refund missing"}, headers=agent.headers
        )
        assert reopened.status_code == 200, reopened.text
        again = await api_client.post(
            f"{base}/resolve", json={"code": "solved", "summary": "refunded"}, headers=agent.headers
        )
        assert again.status_code == 200, again.text
        second = await survey_token(sessionmaker, complaint["id"])

        assert first != second
        assert (await api_client.get(f"/v1/surveys/{first}")).json()["state"] == "expired"
        assert_problem(await api_client.post(f"/v1/surveys/{first}", json={"score": 4}), 410, "gone")
        assert (await api_client.post(f"/v1/surveys/{second}", json={"score": 4})).status_code == 200
        assert [s.status for s in await _surveys(sessionmaker, complaint["id"])] == ["superseded", "answered"]


class TestAnswer:
    async def test_score_1_reopens_and_hands_the_complaint_to_a_supervisor(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(TRADITIONAL)
        agent = await make_person("agent", [complaint["department"]])
        await resolve(api_client, complaint, agent)
        supervisor = await on_duty_supervisor(sessionmaker, complaint["department"])
        token = await survey_token(sessionmaker, complaint["id"])
        page = (await api_client.get(f"/v1/surveys/{token}")).json()
        assert (page["language"], "滿意" in page["question"]) == ("zh-Hant", True)

        answered = await api_client.post(
            f"/v1/surveys/{token}", json={"score": 1, "comment": "退款還沒到賬，問題根本沒解決。"}
        )
        assert answered.status_code == 200, answered.text
        assert (answered.json()["state"], answered.json()["score"]) == ("answered", 1)

        after = await _complaint(sessionmaker, complaint["id"])
        assert after.status == "in_progress"
        assert after.assignee_id == supervisor.id
        assert after.escalation_level == 1
        assert after.reopen_count == 1
        assert "second_handling" in after.flags
        types = await _timeline_types(api_client, complaint["id"], admin_headers)
        assert types.index("survey.answered") < types.index("complaint.second_handling")
        assert "complaint.assigned" in types[types.index("survey.answered") :]
        [survey] = await _surveys(sessionmaker, complaint["id"])
        assert (survey.status, survey.score, survey.comment) == (
            "answered",
            1,
            "退款還沒到賬，問題根本沒解決。",
        )

        second = await api_client.post(f"/v1/surveys/{token}", json={"score": 5})
        assert_problem(second, 409, "conflict")
        assert (await _complaint(sessionmaker, complaint["id"])).escalation_level == 1

    async def test_without_a_supervisor_the_complaint_is_flagged_and_announced(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(SIMPLIFIED)
        agent = await make_person("agent", [complaint["department"]])
        await resolve(api_client, complaint, agent)
        token = await survey_token(sessionmaker, complaint["id"])

        assert (await api_client.post(f"/v1/surveys/{token}", json={"score": 2})).status_code == 200

        after = await _complaint(sessionmaker, complaint["id"])
        assert (after.status, after.assignee_id, after.escalation_level) == ("in_progress", agent.id, 1)
        assert "second_handling" in after.flags
        async with sessionmaker() as session:
            events = (
                await session.scalars(
                    select(WebhookDelivery.payload).where(
                        WebhookDelivery.event_type == "complaint.second_handling",
                        WebhookDelivery.complaint_id == after.id,
                    )
                )
            ).all()
        [event] = events
        assert (event["data"]["score"], event["data"]["supervisor_id"]) == (2, None)

    async def test_score_5_keeps_the_complaint_resolved(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(ENGLISH)
        agent = await make_person("agent", [complaint["department"]])
        await resolve(api_client, complaint, agent)
        await on_duty_supervisor(sessionmaker, complaint["department"])
        token = await survey_token(sessionmaker, complaint["id"])
        page = (await api_client.get(f"/v1/surveys/{token}")).json()
        assert page["language"] == "en"

        answered = await api_client.post(
            f"/v1/surveys/{token}", json={"score": 5, "comment": "Quick and kind."}
        )
        assert answered.status_code == 200, answered.text

        after = await _complaint(sessionmaker, complaint["id"])
        assert (after.status, after.assignee_id, after.escalation_level) == ("resolved", agent.id, 0)
        assert "second_handling" not in after.flags
        assert "complaint.second_handling" not in await _timeline_types(
            api_client, complaint["id"], admin_headers
        )

    async def test_unknown_expired_and_invalid_answers(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(SIMPLIFIED)
        await resolve(api_client, complaint, await make_person("agent", [complaint["department"]]))
        token = await survey_token(sessionmaker, complaint["id"])

        assert_problem(await api_client.get("/v1/surveys/sv_not-a-token-we-issued"), 404, "not-found")
        assert_problem(await api_client.post("/v1/surveys/sv_guess", json={"score": 5}), 404, "not-found")
        for bad in ({"score": 0}, {"score": 6}, {"score": "five"}, {}, {"score": 3, "extra": 1}):
            assert_problem(await api_client.post(f"/v1/surveys/{token}", json=bad), 422, "validation-error")

        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Survey)
                .where(Survey.complaint_id == uuid.UUID(complaint["id"]))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        assert (await api_client.get(f"/v1/surveys/{token}")).json()["state"] == "expired"
        assert_problem(await api_client.post(f"/v1/surveys/{token}", json={"score": 1}), 410, "gone")
        assert (await _complaint(sessionmaker, complaint["id"])).status == "resolved"

    async def test_two_answers_at_once_one_wins(
        self,
        api_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        http_receiver: Receiver,
    ) -> None:
        await channel_adapter(api_client, admin_headers, url=http_receiver.url)
        complaint = await triaged(SIMPLIFIED)
        await resolve(api_client, complaint, await make_person("agent", [complaint["department"]]))
        token = await survey_token(sessionmaker, complaint["id"])

        answers = await asyncio.gather(
            *(api_client.post(f"/v1/surveys/{token}", json={"score": score}) for score in (1, 1, 5))
        )

        assert sorted(r.status_code for r in answers) == [200, 409, 409]
        [winner] = [r.json()["score"] for r in answers if r.status_code == 200]
        after = await _complaint(sessionmaker, complaint["id"])
        assert after.escalation_level == (1 if winner == 1 else 0)
        assert after.reopen_count == after.escalation_level
