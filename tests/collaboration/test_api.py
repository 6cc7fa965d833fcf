"""Collaboration API with real people's tokens: ask, answer, decline, cancel, inbox, access and privacy."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import (
    CollaborationRequest,
    Complaint,
    Department,
    PiiAccess,
    SlaAction,
    SlaClock,
)
from complaint_service.sla.calendar import BusinessCalendar
from tests.collaboration.conftest import QUESTION, MakeComplaint, ask, asked, events_of
from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson

Sessions = async_sessionmaker[AsyncSession]


async def clock_of(sessionmaker: Sessions, request_id: str) -> tuple[SlaClock, dict[str, SlaAction]]:
    async with sessionmaker() as session:
        request = await session.get(CollaborationRequest, uuid.UUID(request_id))
        assert request is not None
        clock = await session.get(SlaClock, request.clock_id)
        assert clock is not None
        actions = await session.scalars(select(SlaAction).where(SlaAction.clock_id == clock.id))
        return clock, {a.label: a for a in actions}


async def calendar_of(sessionmaker: Sessions, department: str) -> BusinessCalendar:
    async with sessionmaker() as session:
        spec = await session.scalar(select(Department.calendar).where(Department.key == department))
    assert spec is not None
    return BusinessCalendar.from_spec(spec)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


class TestAsking:
    async def test_tech_gets_two_business_hours_on_its_calendar_with_the_policys_warnings(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()

        created = await asked(api_client, agent.headers, complaint_id)

        assert (created["status"], created["from_department"], created["to_department"]) == (
            "open",
            "customer_service",
            "tech",
        )
        assert created["requested_by"] == f"user:{agent.id}"
        assert created["question"] == QUESTION
        tech = await calendar_of(sessionmaker, "tech")
        # Business time: asked after hours, the 2 h start at tech's next opening (fixed times: test_service).
        assert at(created["due_at"]) == tech.add(at(created["created_at"]), timedelta(hours=2))
        clock, actions = await clock_of(sessionmaker, created["id"])
        assert (clock.kind, clock.state, clock.target_seconds) == ("collaboration", "running", 7200)
        assert sorted(actions) == ["75%", "90%", "breach"]
        assert actions["breach"].due_at == at(created["due_at"])
        assert actions["75%"].due_at == tech.subtract(at(created["due_at"]), timedelta(minutes=30))
        [event] = await events_of(sessionmaker, complaint_id)
        assert event.type == "collaboration.requested"
        assert event.actor == f"user:{agent.id}"
        assert event.data["request_id"] == created["id"]
        assert event.data["question"] == QUESTION

    async def test_other_departments_get_the_default_target_and_explicit_deadlines_are_kept(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()
        finance = await asked(api_client, agent.headers, complaint_id, to_department="finance")
        minutes = await asked(api_client, agent.headers, complaint_id, answer_within_minutes=30)
        exact = (utcnow() + timedelta(days=3)).replace(microsecond=0)
        fixed = await asked(api_client, agent.headers, complaint_id, due_at=exact.isoformat())

        finance_clock, _ = await clock_of(sessionmaker, finance["id"])
        assert finance_clock.target_seconds == 540 * 60
        calendar = await calendar_of(sessionmaker, "finance")
        assert at(finance["due_at"]) == calendar.add(at(finance["created_at"]), timedelta(minutes=540))
        minutes_clock, _ = await clock_of(sessionmaker, minutes["id"])
        assert minutes_clock.target_seconds == 1800
        assert at(fixed["due_at"]) == exact
        fixed_clock, fixed_actions = await clock_of(sessionmaker, fixed["id"])
        assert fixed_actions["breach"].due_at == exact
        # Three clocks of one kind on one complaint: each request gets its own sequence number.
        seqs = sorted(c.seq for c in (finance_clock, minutes_clock, fixed_clock))
        assert seqs == [0, 1, 2]

    async def test_a_p1_complaint_gets_its_answer_around_the_clock(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint(urgency="P1")

        created = await asked(api_client, agent.headers, complaint_id)

        assert at(created["due_at"]) - at(created["created_at"]) == timedelta(hours=2)
        clock, _ = await clock_of(sessionmaker, created["id"])
        assert clock.calendar["around_the_clock"] is True

    async def test_bad_requests_are_field_errors(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()
        soon = (utcnow() + timedelta(hours=1)).isoformat()
        cases: list[tuple[dict[str, object], list[str]]] = [
            ({"answer_within_minutes": 30, "due_at": soon}, ["body"]),
            ({"due_at": (utcnow() - timedelta(minutes=1)).isoformat()}, ["body", "due_at"]),
            ({"due_at": "2026-12-01T10:00:00"}, ["body", "due_at"]),
            ({"to_department": "marketing"}, ["body", "to_department"]),
            ({"to_department": "customer_service"}, ["body", "to_department"]),
            ({"question": "   "}, ["body", "question"]),
            ({"answer_within_minutes": 0}, ["body", "answer_within_minutes"]),
        ]
        for body, loc in cases:
            problem = assert_problem(
                await ask(api_client, agent.headers, complaint_id, **body), 422, "validation-error"
            )
            assert problem["errors"][0]["loc"][: len(loc)] == loc, (body, problem)

    async def test_a_closed_complaint_takes_no_request(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()
        async with sessionmaker() as session, session.begin():
            complaint = await session.get(Complaint, complaint_id)
            assert complaint is not None
            complaint.status = "closed"

        assert_problem(await ask(api_client, agent.headers, complaint_id), 409, "invalid-transition")


class TestAnswering:
    async def test_the_asked_department_answers_and_the_timeline_shows_both_steps(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        complaint_id = await make_complaint()
        created = await asked(api_client, agent.headers, complaint_id)

        response = await api_client.post(
            f"/v1/collaborations/{created['id']}/answer",
            json={"answer": "已知问题，5.2.2 已修复。"},
            headers={**engineer.headers, "If-Match": f'"{created["version"]}"'},
        )

        assert response.status_code == 200, response.text
        answered = response.json()
        assert (answered["status"], answered["answer"]) == ("answered", "已知问题，5.2.2 已修复。")
        assert answered["closed_by"] == f"user:{engineer.id}"
        assert answered["version"] == created["version"] + 1
        assert response.headers["ETag"] == f'"{answered["version"]}"'
        timeline = await api_client.get(f"/v1/complaints/{complaint_id}/timeline", headers=agent.headers)
        steps = [e for e in timeline.json()["items"] if e["type"].startswith("collaboration.")]
        assert [e["type"] for e in steps] == ["collaboration.requested", "collaboration.answered"]
        assert steps[1]["data"]["answer"] == "已知问题，5.2.2 已修复。"
        assert steps[1]["data"]["on_time"] is True
        clock, actions = await clock_of(sessionmaker, created["id"])
        assert (clock.state, clock.met_at) == ("met", at(answered["closed_at"]))
        assert all(a.cancelled_at is not None and a.fired_at is None for a in actions.values())

    async def test_answering_again_is_409_and_a_stale_etag_is_412(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        created = await asked(api_client, agent.headers, await make_complaint())
        url = f"/v1/collaborations/{created['id']}"
        stale = {**engineer.headers, "If-Match": f'"{created["version"]}"'}
        assert (
            await api_client.post(f"{url}/answer", json={"answer": "第一次"}, headers=stale)
        ).status_code == 200

        assert_problem(
            await api_client.post(f"{url}/answer", json={"answer": "第二次"}, headers=stale),
            412,
            "precondition-failed",
        )
        assert_problem(
            await api_client.post(f"{url}/decline", json={"reason": "不归我们"}, headers=engineer.headers),
            409,
            "conflict",
        )
        current = await api_client.get(url, headers=engineer.headers)
        assert current.json()["answer"] == "第一次"
        fresh = {**engineer.headers, "If-Match": current.headers["ETag"]}
        assert_problem(
            await api_client.post(f"{url}/answer", json={"answer": "第三次"}, headers=fresh), 409, "conflict"
        )

    async def test_declining_needs_a_reason_and_records_it(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        complaint_id = await make_complaint()
        created = await asked(api_client, agent.headers, complaint_id)
        url = f"/v1/collaborations/{created['id']}/decline"

        assert_problem(await api_client.post(url, json={}, headers=engineer.headers), 422, "validation-error")
        response = await api_client.post(
            url, json={"reason": "支付通道问题，请找 finance。"}, headers=engineer.headers
        )

        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["reason"]) == (
            "declined",
            "支付通道问题，请找 finance。",
        )
        declined = (await events_of(sessionmaker, complaint_id))[-1]
        assert (declined.type, declined.data["reason"]) == (
            "collaboration.declined",
            "支付通道问题，请找 finance。",
        )
        clock, _ = await clock_of(sessionmaker, created["id"])
        assert clock.state == "met"

    async def test_the_asking_side_cancels_and_the_asked_side_may_not(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        complaint_id = await make_complaint()
        created = await asked(api_client, agent.headers, complaint_id)
        url = f"/v1/collaborations/{created['id']}/cancel"

        assert_problem(await api_client.post(url, headers=engineer.headers), 403, "forbidden")
        response = await api_client.post(url, json={"reason": "客户已自行解决"}, headers=agent.headers)

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
        clock, actions = await clock_of(sessionmaker, created["id"])
        assert (clock.state, clock.met_at) == ("cancelled", None)
        assert all(a.cancelled_at is not None for a in actions.values())
        assert (await events_of(sessionmaker, complaint_id))[-1].type == "collaboration.cancelled"


class TestPermissions:
    async def test_no_token_is_401_everywhere(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        complaint_id = await make_complaint()
        created = await asked(api_client, agent.headers, complaint_id)
        calls = [
            (
                "POST",
                f"/v1/complaints/{complaint_id}/collaborations",
                {"to_department": "tech", "question": "?"},
            ),
            ("GET", f"/v1/complaints/{complaint_id}/collaborations", None),
            ("GET", "/v1/collaborations", None),
            ("GET", f"/v1/collaborations/{created['id']}", None),
            ("POST", f"/v1/collaborations/{created['id']}/answer", {"answer": "ok"}),
            ("POST", f"/v1/collaborations/{created['id']}/decline", {"reason": "no"}),
            ("POST", f"/v1/collaborations/{created['id']}/cancel", None),
        ]
        for method, url, body in calls:
            assert_problem(await api_client.request(method, url, json=body), 401, "unauthorized")

    async def test_an_agent_of_an_unrelated_department_is_refused(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        stranger = await make_person("agent", ["logistics"])
        complaint_id = await make_complaint()
        created = await asked(api_client, agent.headers, complaint_id)
        url = f"/v1/collaborations/{created['id']}"

        assert_problem(await ask(api_client, stranger.headers, complaint_id), 403, "forbidden")
        for method, path, body in [
            ("GET", f"/v1/complaints/{complaint_id}/collaborations", None),
            ("GET", url, None),
            ("POST", f"{url}/answer", {"answer": "我来答"}),
            ("POST", f"{url}/decline", {"reason": "no"}),
            ("POST", f"{url}/cancel", None),
            ("GET", "/v1/collaborations?department=tech", None),
        ]:
            assert_problem(
                await api_client.request(method, path, json=body, headers=stranger.headers), 403, "forbidden"
            )
        assert (await api_client.get(url, headers=agent.headers)).json()["status"] == "open"

    async def test_the_asked_department_reads_the_complaint_only_while_the_request_is_open(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        complaint_id = await make_complaint()
        base = f"/v1/complaints/{complaint_id}"
        reads = [base, f"{base}/messages", f"{base}/timeline", f"{base}/collaborations"]
        for url in reads:
            assert_problem(await api_client.get(url, headers=engineer.headers), 403, "forbidden")
        created = await asked(api_client, agent.headers, complaint_id)

        for url in reads:
            assert (await api_client.get(url, headers=engineer.headers)).status_code == 200, url
        listed = (await api_client.get(f"{base}/collaborations", headers=engineer.headers)).json()
        assert [r["id"] for r in listed["items"]] == [created["id"]]
        # Reading is not acting: the complaint itself stays the asking department's to change.
        assert_problem(
            await ask(api_client, engineer.headers, complaint_id, to_department="finance"), 403, "forbidden"
        )
        note = await api_client.post(f"{base}/notes", json={"body": "看过了"}, headers=engineer.headers)
        assert_problem(note, 403, "forbidden")
        await api_client.post(
            f"/v1/collaborations/{created['id']}/answer", json={"answer": "已修复"}, headers=engineer.headers
        )

        for url in reads:
            assert_problem(await api_client.get(url, headers=engineer.headers), 403, "forbidden")
        own = await api_client.get(f"/v1/collaborations/{created['id']}", headers=engineer.headers)
        assert own.json()["status"] == "answered"

    async def test_supervisors_answer_for_any_department(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        supervisor = await make_person("supervisor", ["customer_service"])
        created = await asked(api_client, agent.headers, await make_complaint())

        response = await api_client.post(
            f"/v1/collaborations/{created['id']}/answer",
            json={"answer": "先按退款处理"},
            headers=supervisor.headers,
        )

        assert response.status_code == 200, response.text
        assert response.json()["closed_by"] == f"user:{supervisor.id}"

    async def test_people_signed_in_with_a_password_ask_and_answer(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], make_complaint: MakeComplaint
    ) -> None:
        async def person(email: str, department: str) -> dict[str, str]:
            spec = {
                "name": email,
                "email": email,
                "departments": [department],
                "password": "correct horse 42",
            }
            assert (await api_client.post("/v1/agents", json=spec, headers=admin_headers)).status_code == 201
            token = await api_client.post(
                "/v1/auth/token", json={"email": email, "password": "correct horse 42"}
            )
            assert token.status_code == 200, token.text
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        asker = await person("lin@example.com", "customer_service")
        engineer = await person("chen@example.com", "tech")
        created = await asked(api_client, asker, await make_complaint())

        response = await api_client.post(
            f"/v1/collaborations/{created['id']}/answer", json={"answer": "已修复"}, headers=engineer
        )

        assert response.status_code == 200, response.text


class TestInbox:
    async def test_a_department_pages_through_its_requests_by_status(
        self, api_client: httpx.AsyncClient, make_complaint: MakeComplaint, make_person: MakePerson
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        supervisor = await make_person("supervisor", [])
        complaint_id = await make_complaint()
        to_tech = [(await asked(api_client, agent.headers, complaint_id))["id"] for _ in range(3)]
        to_finance = (await asked(api_client, agent.headers, complaint_id, to_department="finance"))["id"]
        await api_client.post(
            f"/v1/collaborations/{to_tech[0]}/answer", json={"answer": "好"}, headers=engineer.headers
        )

        first = await api_client.get("/v1/collaborations?status=open&limit=1", headers=engineer.headers)
        second = await api_client.get(
            f"/v1/collaborations?status=open&limit=1&cursor={first.json()['next_cursor']}",
            headers=engineer.headers,
        )
        everything = await api_client.get("/v1/collaborations", headers=engineer.headers)
        all_open = await api_client.get("/v1/collaborations?status=open", headers=supervisor.headers)
        finance = await api_client.get("/v1/collaborations?department=finance", headers=supervisor.headers)

        assert [r["id"] for r in first.json()["items"]] == [to_tech[1]]
        assert [r["id"] for r in second.json()["items"]] == [to_tech[2]]
        assert second.json()["next_cursor"] is None
        assert [r["id"] for r in everything.json()["items"]] == to_tech
        assert [r["id"] for r in all_open.json()["items"]] == [*to_tech[1:], to_finance]
        assert [r["id"] for r in finance.json()["items"]] == [to_finance]
        assert everything.json()["items"][0]["complaint_reference"].startswith("C")
        assert_problem(
            await api_client.get("/v1/collaborations?department=finance", headers=engineer.headers),
            403,
            "forbidden",
        )


class TestPrivacy:
    async def test_texts_are_masked_without_pii_read_and_every_unmasking_is_audited(
        self,
        api_client: httpx.AsyncClient,
        make_complaint: MakeComplaint,
        make_person: MakePerson,
        sessionmaker: Sessions,
    ) -> None:
        agent = await make_person("agent", ["customer_service"])
        engineer = await make_person("agent", ["tech"])
        trusted = await make_person("agent", ["tech"], scopes=["pii:read"])
        question = "客户手机 13812345678 无法登录，请查账号状态。"
        created = await asked(api_client, agent.headers, await make_complaint(), question=question)
        url = f"/v1/collaborations/{created['id']}"

        masked = (await api_client.get(url, headers=engineer.headers)).json()
        clear = (await api_client.get(url, headers=trusted.headers)).json()

        assert "13812345678" not in masked["question"]
        assert masked["pii_masked"] is True
        assert clear["question"] == question
        assert clear["pii_masked"] is False
        async with sessionmaker() as session:
            audited = (await session.scalars(select(PiiAccess))).all()
            count = await session.scalar(select(func.count()).select_from(PiiAccess))
        assert count == 1
        assert (audited[0].user_id, audited[0].resource, audited[0].kinds) == (
            trusted.id,
            "collaboration_request",
            ["phone"],
        )
        assert audited[0].route == "GET /v1/collaborations/{request_id}"
