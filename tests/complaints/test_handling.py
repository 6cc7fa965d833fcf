"""Working complaints through the API: the state machine, assignment, replies, concurrency and bulk."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.complaints import tasks as complaint_tasks
from complaint_service.core.clock import utcnow
from complaint_service.models import Agent, Complaint, Message, SlaClock
from tests.fixtures.builders import assert_problem
from tests.fixtures.complaints import Triaged
from tests.fixtures.people import MakePerson


async def _post(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: Any = None, **kw: Any
) -> httpx.Response:
    return await client.post(path, json=body if body is not None else {}, headers=headers, **kw)


async def _open_count(sessionmaker: async_sessionmaker[AsyncSession], person_id: uuid.UUID) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(Agent.open_count).where(Agent.id == person_id)) or 0)


class TestLifecycle:
    async def test_assign_reply_wait_resolve_close_reopen(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        complaint = await triaged()
        base = f"/v1/complaints/{complaint['id']}"
        dept = complaint["department"]
        lead = await make_person("team_lead", [dept])
        agent = await make_person("agent", [dept])

        assigned = await _post(api_client, f"{base}/assign", lead.headers, {"assignee_id": str(agent.id)})
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["status"] == "assigned"
        assert assigned.json()["assignee_id"] == str(agent.id)
        assert await _open_count(sessionmaker, agent.id) == 1

        reply = await _post(
            api_client,
            f"{base}/replies",
            agent.headers,
            {"body": "您好，已收到，正在核实扣款。", "then": "pending_customer"},
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["visibility"] == "public"
        got = (await api_client.get(base, headers=agent.headers)).json()
        assert got["status"] == "pending_customer"
        assert got["first_response_at"] is not None
        async with sessionmaker() as session:
            states = set(
                (
                    await session.scalars(
                        select(SlaClock.state).where(SlaClock.complaint_id == uuid.UUID(complaint["id"]))
                    )
                ).all()
            )
        assert "paused" in states  # waiting on the customer stops the clocks

        back = await _post(api_client, f"{base}/status", agent.headers, {"status": "in_progress"})
        assert back.json()["status"] == "in_progress"

        missing = await _post(api_client, f"{base}/resolve", agent.headers, {"summary": "退款完成"})
        assert_problem(missing, 422, "validation-error")
        resolved = await _post(
            api_client, f"{base}/resolve", agent.headers, {"code": "compensated", "summary": "重复扣款已退回"}
        )
        assert resolved.status_code == 200, resolved.text
        assert (resolved.json()["status"], resolved.json()["resolution_code"]) == ("resolved", "compensated")
        assert await _open_count(sessionmaker, agent.id) == 0

        closed = await _post(api_client, f"{base}/close", agent.headers, {"reason": "customer confirmed"})
        assert closed.json()["status"] == "closed"
        reopened = await _post(api_client, f"{base}/reopen", lead.headers, {"reason": "refund never arrived"})
        assert reopened.status_code == 200, reopened.text
        body = reopened.json()
        assert (body["status"], body["reopen_count"], body["resolved_at"]) == ("in_progress", 1, None)
        assert await _open_count(sessionmaker, agent.id) == 1

        timeline = (await api_client.get(f"{base}/timeline", headers=lead.headers)).json()["items"]
        moves = [
            (e["data"]["from"], e["data"]["to"]) for e in timeline if e["type"] == "complaint.status_changed"
        ]
        assert moves == [
            ("assigned", "in_progress"),
            ("in_progress", "pending_customer"),
            ("pending_customer", "in_progress"),
            ("in_progress", "resolved"),
            ("resolved", "closed"),
            ("closed", "in_progress"),
        ]

    async def test_impossible_transitions_are_409_with_what_is_allowed(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        base = f"/v1/complaints/{complaint['id']}"
        lead = await make_person("team_lead", [complaint["department"]])
        await _post(api_client, f"{base}/resolve", lead.headers, {"code": "solved", "summary": "done"})
        again = assert_problem(
            await _post(api_client, f"{base}/resolve", lead.headers, {"code": "solved", "summary": "x"}),
            409,
            "invalid-transition",
        )
        assert "closed" in again["detail"]
        assert_problem(
            await _post(api_client, f"{base}/status", lead.headers, {"status": "pending_customer"}),
            409,
            "invalid-transition",
        )
        assert_problem(
            await _post(api_client, f"{base}/status", lead.headers, {"status": "resolved"}),
            422,
            "validation-error",
        )

    async def test_a_customer_message_on_a_resolved_complaint_reopens_it(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        complaint = await triaged(channel="email", customer={"name": "Tom", "email": "tom@example.com"})
        base = f"/v1/complaints/{complaint['id']}"
        lead = await make_person("team_lead", [complaint["department"]])
        await _post(api_client, f"{base}/claim", lead.headers)
        await _post(api_client, f"{base}/replies", lead.headers, {"body": "Refunded."})
        await _post(api_client, f"{base}/resolve", lead.headers, {"code": "solved", "summary": "refunded"})
        async with sessionmaker() as session:
            ours = await session.scalar(
                select(Message.external_id).where(
                    Message.complaint_id == uuid.UUID(complaint["id"]), Message.direction == "outbound"
                )
            )
        mail = (
            "From: Tom <tom@example.com>\r\nTo: support@example.com\r\nSubject: Re: refund\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@mail.example.com>\r\nIn-Reply-To: <{ours}>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nThe money is still not back.\r\n"
        ).encode()
        posted = await api_client.post(
            "/v1/channels/email/complaints",
            content=mail,
            headers={**intake_headers, "Content-Type": "message/rfc822"},
        )
        assert posted.status_code == 200, posted.text
        assert posted.json()["id"] == complaint["id"]
        got = (await api_client.get(base, headers=lead.headers)).json()
        assert (got["status"], got["reopen_count"]) == ("in_progress", 1)

    async def test_a_customer_message_leaves_a_complaint_closed_as_abuse_closed(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        complaint = await triaged(channel="email", customer={"name": "Spam", "email": "spam@example.com"})
        cid = uuid.UUID(complaint["id"])
        async with sessionmaker() as session:
            first = await session.scalar(select(Message.external_id).where(Message.complaint_id == cid))
            await session.execute(
                update(Complaint)
                .where(Complaint.id == cid)
                .values(status="closed", closed_at=utcnow(), resolution_code="abuse")
            )
            await session.commit()
        mail = (
            "From: Spam <spam@example.com>\r\nTo: support@example.com\r\nSubject: Re: again\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@mail.example.com>\r\nIn-Reply-To: <{first}>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nasdf asdf asdf\r\n"
        ).encode()
        posted = await api_client.post(
            "/v1/channels/email/complaints",
            content=mail,
            headers={**intake_headers, "Content-Type": "message/rfc822"},
        )

        assert posted.status_code == 200, posted.text
        assert (posted.json()["id"], posted.json()["outcome"]) == (complaint["id"], "threaded")
        supervisor = await make_person("supervisor", [])
        got = (await api_client.get(f"/v1/complaints/{cid}", headers=supervisor.headers)).json()
        assert (got["status"], got["reopen_count"]) == ("closed", 0)
        async with sessionmaker() as session:
            bodies = (await session.scalars(select(Message.body).where(Message.complaint_id == cid))).all()
        assert any("asdf" in body for body in bodies)

    async def test_quiet_resolved_complaints_close_by_themselves(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        old, fresh = await triaged(), await triaged()
        lead = await make_person("supervisor", [])
        for c in (old, fresh):
            await _post(
                api_client,
                f"/v1/complaints/{c['id']}/resolve",
                lead.headers,
                {"code": "solved", "summary": "ok"},
            )
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Complaint)
                .where(Complaint.id == uuid.UUID(old["id"]))
                .values(resolved_at=utcnow() - timedelta(hours=73))
            )
        assert await complaint_tasks.auto_close.coroutine(worker_ctx) == 1
        assert await complaint_tasks.auto_close.coroutine(worker_ctx) == 0
        statuses = {
            c["id"]: (await api_client.get(f"/v1/complaints/{c['id']}", headers=lead.headers)).json()[
                "status"
            ]
            for c in (old, fresh)
        }
        assert statuses == {old["id"]: "closed", fresh["id"]: "resolved"}


class TestConcurrency:
    async def test_two_people_changing_one_version_one_wins_the_other_gets_412(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        base = f"/v1/complaints/{complaint['id']}"
        lead = await make_person("team_lead", [complaint["department"]])
        other = await make_person("team_lead", [complaint["department"]])
        read = await api_client.get(base, headers=lead.headers)
        tag = read.headers["ETag"]
        results = await asyncio.gather(
            api_client.patch(base, json={"urgency": "P1"}, headers={**lead.headers, "If-Match": tag}),
            api_client.patch(base, json={"urgency": "P4"}, headers={**other.headers, "If-Match": tag}),
        )
        assert sorted(r.status_code for r in results) == [200, 412]
        winner = next(r for r in results if r.status_code == 200)
        loser = next(r for r in results if r.status_code == 412)
        assert_problem(loser, 412, "precondition-failed")
        final = (await api_client.get(base, headers=lead.headers)).json()
        assert final["urgency"] == winner.json()["urgency"]
        assert winner.headers["ETag"] != tag

    async def test_a_stale_if_match_is_refused_and_nothing_changes(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        base = f"/v1/complaints/{complaint['id']}"
        lead = await make_person("team_lead", [complaint["department"]])
        tag = (await api_client.get(base, headers=lead.headers)).headers["ETag"]
        await api_client.patch(base, json={"tags": ["vip"]}, headers={**lead.headers, "If-Match": tag})
        stale = await api_client.patch(
            base, json={"urgency": "P1"}, headers={**lead.headers, "If-Match": tag}
        )
        assert_problem(stale, 412, "precondition-failed")
        assert (await api_client.get(base, headers=lead.headers)).json()["urgency"] != "P1"


class TestAssignment:
    async def test_agents_claim_unassigned_work_but_not_a_colleagues(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        base = f"/v1/complaints/{complaint['id']}"
        first = await make_person("agent", [complaint["department"]])
        second = await make_person("agent", [complaint["department"]])
        assert (await _post(api_client, f"{base}/claim", first.headers)).json()["assignee_id"] == str(
            first.id
        )
        assert_problem(await _post(api_client, f"{base}/claim", second.headers), 409, "conflict")
        assert_problem(
            await _post(api_client, f"{base}/replies", second.headers, {"body": "hi"}), 403, "forbidden"
        )
        assert_problem(
            await _post(api_client, f"{base}/assign", second.headers, {"assignee_id": str(second.id)}),
            403,
            "forbidden",
        )

    async def test_assignees_must_work_for_the_department(
        self, api_client: httpx.AsyncClient, triaged: Triaged, make_person: MakePerson
    ) -> None:
        complaint = await triaged()
        lead = await make_person("team_lead", [complaint["department"]])
        outsider = await make_person("agent", ["product" if complaint["department"] != "product" else "tech"])
        response = await _post(
            api_client,
            f"/v1/complaints/{complaint['id']}/assign",
            lead.headers,
            {"assignee_id": str(outsider.id)},
        )
        body = assert_problem(response, 422, "validation-error")
        assert body["errors"][0]["loc"] == ["body", "assignee_id"]


class TestBulk:
    async def test_supervisors_reassign_change_urgency_and_close_a_filtered_set(
        self,
        api_client: httpx.AsyncClient,
        triaged: Triaged,
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        complaints = [await triaged() for _ in range(3)]
        dept = complaints[0]["department"]
        boss = await make_person("supervisor", [])
        old, new = await make_person("agent", [dept]), await make_person("agent", [dept])
        ids = [c["id"] for c in complaints]
        for cid in ids:
            await _post(
                api_client, f"/v1/complaints/{cid}/assign", boss.headers, {"assignee_id": str(old.id)}
            )

        moved = await _post(
            api_client,
            "/v1/complaints/bulk",
            boss.headers,
            {"filter": {"assignee_id": str(old.id)}, "action": "reassign", "assignee_id": str(new.id)},
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["matched"], moved.json()["changed"]) == (3, 3)
        assert (await _open_count(sessionmaker, old.id), await _open_count(sessionmaker, new.id)) == (0, 3)

        urgent = await _post(
            api_client,
            "/v1/complaints/bulk",
            boss.headers,
            {"filter": {"ids": ids[:2]}, "action": "change_urgency", "urgency": "P1"},
        )
        assert urgent.json()["changed"] == 2

        await _post(
            api_client, f"/v1/complaints/{ids[2]}/resolve", boss.headers, {"code": "solved", "summary": "ok"}
        )
        await _post(api_client, f"/v1/complaints/{ids[2]}/close", boss.headers, {"reason": "done"})
        closed = await _post(
            api_client,
            "/v1/complaints/bulk",
            boss.headers,
            {"filter": {"ids": ids}, "action": "close", "reason": "超时未回复"},
        )
        assert (closed.json()["changed"], [s["id"] for s in closed.json()["skipped"]]) == (2, [ids[2]])

    async def test_agents_and_empty_filters_are_refused(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["finance"])
        boss = await make_person("supervisor", [])
        body = {"filter": {}, "action": "close"}
        assert_problem(await _post(api_client, "/v1/complaints/bulk", agent.headers, body), 403, "forbidden")
        assert_problem(
            await _post(api_client, "/v1/complaints/bulk", boss.headers, body), 422, "validation-error"
        )
