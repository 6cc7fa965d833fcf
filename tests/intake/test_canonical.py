"""POST /v1/complaints: committed once, idempotent, and refusing bad input with problem+json."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Customer, CustomerIdentity, Event, Message
from tests.fixtures.builders import assert_problem, canonical, post_canonical


class TestCanonicalIntake:
    async def test_created_complaint_is_committed_with_message_and_event(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        response = await post_canonical(api_client, intake_headers)

        assert response.status_code == 201, response.text
        receipt = response.json()
        assert re.fullmatch(r"C\d{8}-\d{6,}", receipt["reference"])
        assert receipt["outcome"] == "created"
        assert receipt["status"] == "new"
        assert response.headers["location"] == receipt["link"] == f"/v1/complaints/{receipt['id']}"
        async with sessionmaker() as session:
            complaint = await session.get(Complaint, uuid.UUID(receipt["id"]))
            assert complaint is not None
            assert complaint.language == "zh-Hans"
            assert complaint.app_version == "5.2.1"
            assert complaint.customer_id is not None
            messages = (
                await session.scalars(select(Message).where(Message.complaint_id == complaint.id))
            ).all()
            events = (await session.scalars(select(Event).where(Event.complaint_id == complaint.id))).all()
            identities = (
                await session.scalars(
                    select(CustomerIdentity).where(CustomerIdentity.customer_id == complaint.customer_id)
                )
            ).all()
        assert [m.direction for m in messages] == ["inbound"]
        assert [e.type for e in events] == ["complaint.received"]
        assert {(i.kind, i.value) for i in identities} == {
            ("phone", "+8613812345678"),
            ("app_user_id", "u_99812"),
        }

    async def test_same_external_id_returns_the_first_complaint(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        first = await post_canonical(api_client, intake_headers, external_id="fb-1")
        second = await post_canonical(api_client, intake_headers, external_id="fb-1", body="重复投递")

        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["id"] == first.json()["id"]
        assert second.json()["outcome"] == "duplicate"

    async def test_idempotency_key_replay_and_misuse(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        payload = canonical(external_id=None)
        headers = {**intake_headers, "Idempotency-Key": "retry-7f3a"}
        first = await api_client.post("/v1/complaints", json=payload, headers=headers)
        replay = await api_client.post("/v1/complaints", json=payload, headers=headers)
        misuse = await api_client.post(
            "/v1/complaints", json={**payload, "body": "另一件事"}, headers=headers
        )

        assert (first.status_code, replay.status_code) == (201, 200)
        assert replay.json()["id"] == first.json()["id"]
        assert_problem(misuse, 409, "idempotency-key-reused")

    async def test_twenty_identical_concurrent_requests_store_exactly_one_row(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        payload = canonical(external_id="burst-1", customer={"phone": "+86 139 0000 1111", "name": "李雷"})
        responses = await asyncio.gather(
            *(api_client.post("/v1/complaints", json=payload, headers=intake_headers) for _ in range(20))
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 19 + [201]
        assert len({r.json()["id"] for r in responses}) == 1
        async with sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 1
            assert await session.scalar(select(func.count()).select_from(Message)) == 1
            assert await session.scalar(select(func.count()).select_from(CustomerIdentity)) == 1
            assert await session.scalar(select(func.count()).select_from(Customer)) == 1

    async def test_a_new_person_writing_twenty_times_at_once_becomes_one_customer(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        """Every request creates the customer in its own statement; the losers fold into the winner."""
        customer = {"phone": "+86 139 0000 2222", "email": "han.mei@example.cn", "name": "韩梅梅"}
        responses = await asyncio.gather(
            *(
                post_canonical(api_client, intake_headers, external_id=f"race-{i}", customer=customer)
                for i in range(20)
            )
        )

        assert sorted(r.status_code for r in responses) == [201] * 20
        async with sessionmaker() as session:
            owners = set((await session.scalars(select(Complaint.customer_id))).all())
            assert await session.scalar(select(func.count()).select_from(Customer)) == 1
            identities = (await session.scalars(select(CustomerIdentity.customer_id))).all()
        assert len(owners) == 1
        assert None not in owners
        assert identities == [owners.pop()] * 2

    async def test_one_person_is_recognised_across_channels_and_number_formats(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        a = await post_canonical(
            api_client, intake_headers, channel="sms", customer={"phone": "138-1234-5678"}
        )
        b = await post_canonical(
            api_client,
            intake_headers,
            channel="web_form",
            customer={"phone": "+86 138 1234 5678", "email": "Wang.XM@Example.CN"},
        )
        c = await post_canonical(
            api_client, intake_headers, channel="email", customer={"email": "wang.xm@example.cn"}
        )

        async with sessionmaker() as session:
            owners = {
                (await session.get(Complaint, uuid.UUID(r.json()["id"]))).customer_id  # type: ignore[union-attr]
                for r in (a, b, c)
            }
        assert len(owners) == 1

    async def test_missing_and_invalid_fields_are_listed(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await api_client.post(
            "/v1/complaints",
            json={"channel": "carrier_pigeon", "received_at": "2026-11-22T10:00:00", "currency": "yuan"},
            headers=intake_headers,
        )

        problem = assert_problem(response, 422, "validation-error")
        locations = {tuple(e["loc"]) for e in problem["errors"]}
        assert {
            ("body", "channel"),
            ("body", "body"),
            ("body", "received_at"),
            ("body", "currency"),
        } <= locations

    async def test_nul_characters_are_refused(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await post_canonical(api_client, intake_headers, body="支付失败\u0000")
        assert_problem(response, 422, "validation-error")

    async def test_malformed_json_is_a_422(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await api_client.post(
            "/v1/complaints",
            content=b'{"body": "unterminated',
            headers={**intake_headers, "Content-Type": "application/json"},
        )
        assert_problem(response, 422, "validation-error")

    async def test_wrong_content_type_is_a_415(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await api_client.post(
            "/v1/complaints", content="支付失败", headers={**intake_headers, "Content-Type": "text/plain"}
        )
        assert_problem(response, 415, "unsupported-media-type")

    async def test_oversized_body_is_a_413(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await post_canonical(api_client, intake_headers, body="很" * 400_000)
        assert_problem(response, 413, "payload-too-large")

    async def test_streamed_oversized_body_is_a_413(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b" " * 100_000

        response = await api_client.post(
            "/v1/complaints", content=chunks(), headers={**intake_headers, "Content-Type": "application/json"}
        )
        assert_problem(response, 413, "payload-too-large")
