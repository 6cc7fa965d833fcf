"""Merging, unmerging and linking complaints over the API: permissions, conflicts and If-Match."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson
from tests.fixtures.senders import triage
from tests.matters.helpers import PHONE, event_types, load, messages, submit

FRYER = "我在商城买的空气炸锅，订单LG202611210127，付款三天了还没发货，请尽快给我发货。"
FRYER_AGAIN = "我买的空气炸锅付款三天了还没发货，今天又打电话问了，还是没人处理。"
PARCEL = "快递已经一周了还没送到，物流信息一直不更新，请帮我查一下。"
HACKED = "我的账号昨天被人盗了，有人用我的账号下单，请帮我冻结账号。"


async def _two_tickets(
    client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any], **second: Any
) -> tuple[uuid.UUID, uuid.UUID]:
    """Two triaged complaints that stay apart on their own (different matters)."""
    first = await submit(client, headers, body=FRYER, order_id="LG202611210127")
    await triage(ctx, first)
    other = await submit(client, headers, **({"body": HACKED} | second))
    assert await triage(ctx, other) == "triaged"
    return first, other


async def _etag(client: httpx.AsyncClient, complaint_id: uuid.UUID, headers: dict[str, str]) -> str:
    response = await client.get(f"/v1/complaints/{complaint_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


class TestMerge:
    async def test_merge_then_unmerge_a_triaged_complaint(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id, other_id = await _two_tickets(api_client, intake_headers, worker_ctx)
        ticket, other = await load(sessionmaker, ticket_id), await load(sessionmaker, other_id)
        agent = await make_person("agent", [ticket.department, other.department])
        read_tag = await _etag(api_client, other_id, agent.headers)

        merged = await api_client.post(
            f"/v1/complaints/{other_id}/merge",
            json={"into_id": str(ticket_id)},
            headers={**agent.headers, "If-Match": read_tag},
        )

        assert merged.status_code == 201, merged.text
        body = merged.json()
        assert (body["source_id"], body["target_id"], body["reason"]) == (
            str(other_id),
            str(ticket_id),
            "manual",
        )
        assert body["automatic"] is False
        assert merged.headers["ETag"] != read_tag
        got = (await api_client.get(f"/v1/complaints/{other_id}", headers=agent.headers)).json()
        assert (got["merged_into_id"], got["status"]) == (str(ticket_id), "closed")
        assert [m.body for m in await messages(sessionmaker, ticket_id) if m.direction == "inbound"] == [
            FRYER,
            HACKED,
        ]
        assert "complaint.merged_in" in await event_types(sessionmaker, ticket_id)

        stale = await api_client.post(
            f"/v1/complaints/{other_id}/unmerge", headers={**agent.headers, "If-Match": read_tag}
        )
        assert_problem(stale, 412, "precondition-failed")
        unmerged = await api_client.post(
            f"/v1/complaints/{other_id}/unmerge",
            headers={**agent.headers, "If-Match": merged.headers["ETag"]},
        )

        assert unmerged.status_code == 200, unmerged.text
        assert unmerged.json()["unmerged_by"] == f"user:{agent.id}"
        restored = await load(sessionmaker, other_id)
        # Triaged before the merge: back to its department's queue, not through triage again.
        assert (restored.merged_into_id, restored.status, restored.resolution_code) == (None, "triaged", None)
        back = await messages(sessionmaker, other_id)
        assert [m.body for m in back if m.direction == "inbound"] == [HACKED]
        assert len(back) == 2  # with the acknowledgement it was sent
        assert "complaint.unmerged" in await event_types(sessionmaker, ticket_id)
        history = (await api_client.get(f"/v1/complaints/{ticket_id}/merges", headers=agent.headers)).json()
        assert [(m["source_id"], m["unmerged_at"] is not None) for m in history["items"]] == [
            (str(other_id), True)
        ]

    async def test_an_automatic_merge_undone_goes_through_triage_and_stays_apart(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id = await submit(api_client, intake_headers, body=FRYER)
        await triage(worker_ctx, ticket_id)
        again_id = await submit(api_client, intake_headers, channel="phone_transcript", body=FRYER_AGAIN)
        assert (await triage(worker_ctx, again_id)).startswith("merged")
        supervisor = await make_person("supervisor", [])

        unmerged = await api_client.post(f"/v1/complaints/{again_id}/unmerge", headers=supervisor.headers)

        assert unmerged.status_code == 200, unmerged.text
        again = await load(sessionmaker, again_id)
        assert (again.status, again.triaged_at, again.merged_into_id) == ("new", None, None)
        assert await triage(worker_ctx, again_id) == "triaged"
        again = await load(sessionmaker, again_id)
        assert (again.status, again.merged_into_id) == ("triaged", None)
        assert [m.channel for m in await messages(sessionmaker, again_id) if m.direction == "inbound"] == [
            "phone_transcript"
        ]

    async def test_impossible_merges_are_refused(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id, other_id = await _two_tickets(api_client, intake_headers, worker_ctx)
        stranger_id = await submit(
            api_client, intake_headers, body=FRYER_AGAIN, customer={"phone": "13700001111"}
        )
        await triage(worker_ctx, stranger_id)
        supervisor = await make_person("supervisor", [])
        agent = await make_person("agent", ["finance"])

        async def merge(
            source: uuid.UUID, into: uuid.UUID, headers: dict[str, str], **body: Any
        ) -> httpx.Response:
            return await api_client.post(
                f"/v1/complaints/{source}/merge", json={"into_id": str(into), **body}, headers=headers
            )

        assert_problem(await merge(ticket_id, ticket_id, supervisor.headers), 409, "conflict")
        assert_problem(await merge(other_id, ticket_id, agent.headers), 403, "forbidden")
        assert_problem(await merge(other_id, uuid.uuid4(), supervisor.headers), 404, "not-found")
        assert_problem(await merge(stranger_id, ticket_id, supervisor.headers), 409, "conflict")
        lead = await make_person(
            "team_lead", [(await load(sessionmaker, s)).department or "" for s in (stranger_id, ticket_id)]
        )
        assert_problem(await merge(stranger_id, ticket_id, lead.headers, force=True), 403, "forbidden")
        forced = await merge(stranger_id, ticket_id, supervisor.headers, force=True)
        assert forced.status_code == 201, forced.text
        assert_problem(await merge(stranger_id, other_id, supervisor.headers), 409, "conflict")
        assert_problem(await merge(other_id, stranger_id, supervisor.headers), 409, "conflict")
        assert_problem(
            await api_client.post(f"/v1/complaints/{other_id}/unmerge", headers=supervisor.headers),
            409,
            "conflict",
        )

    async def test_merging_a_ticket_carries_the_complaints_merged_into_it_along(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ticket_id, other_id = await _two_tickets(api_client, intake_headers, worker_ctx)
        again_id = await submit(api_client, intake_headers, body=FRYER_AGAIN)
        assert (await triage(worker_ctx, again_id)).startswith("merged")
        supervisor = await make_person("supervisor", [])

        merged = await api_client.post(
            f"/v1/complaints/{ticket_id}/merge", json={"into_id": str(other_id)}, headers=supervisor.headers
        )

        assert merged.status_code == 201, merged.text
        assert (await load(sessionmaker, again_id)).merged_into_id == other_id
        assert len([m for m in await messages(sessionmaker, other_id) if m.direction == "inbound"]) == 3
        # Each merge still knows its own messages: undoing the follower gives back exactly its one.
        back = await api_client.post(f"/v1/complaints/{again_id}/unmerge", headers=supervisor.headers)
        assert back.status_code == 200, back.text
        assert [m.body for m in await messages(sessionmaker, again_id)] == [FRYER_AGAIN]
        assert len([m for m in await messages(sessionmaker, other_id) if m.direction == "inbound"]) == 2


class TestLinks:
    async def test_link_list_and_unlink(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        first_id, second_id = await _two_tickets(api_client, intake_headers, worker_ctx)
        supervisor = await make_person("supervisor", [], scopes=["pii:read"])
        spec = {"related_id": str(first_id), "kind": "follow_up", "note": f"客户来电 {PHONE} 追问"}

        created = await api_client.post(
            f"/v1/complaints/{second_id}/links", json=spec, headers=supervisor.headers
        )
        again = await api_client.post(
            f"/v1/complaints/{second_id}/links", json=spec, headers=supervisor.headers
        )

        assert created.status_code == 201, created.text
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]
        assert (created.json()["direction"], created.json()["other"]["id"]) == ("outgoing", str(first_id))
        listed = (await api_client.get(f"/v1/complaints/{first_id}/links", headers=supervisor.headers)).json()
        assert [(i["kind"], i["direction"], i["other"]["id"]) for i in listed["items"]] == [
            ("follow_up", "incoming", str(second_id))
        ]
        assert PHONE in listed["items"][0]["note"]
        reader = await make_person("supervisor", [])
        masked = (await api_client.get(f"/v1/complaints/{first_id}/links", headers=reader.headers)).json()
        assert PHONE not in masked["items"][0]["note"]
        assert "complaint.linked" in await event_types(sessionmaker, first_id)
        assert "complaint.linked" in await event_types(sessionmaker, second_id)

        link_url = f"/v1/complaints/{first_id}/links/{created.json()['id']}"
        assert (await api_client.delete(link_url, headers=supervisor.headers)).status_code == 204
        assert_problem(await api_client.delete(link_url, headers=supervisor.headers), 404, "not-found")
        empty = (await api_client.get(f"/v1/complaints/{second_id}/links", headers=supervisor.headers)).json()
        assert empty["items"] == []
        assert "complaint.unlinked" in await event_types(sessionmaker, second_id)

    @pytest.mark.parametrize("kind", ["related", "duplicate"])
    async def test_a_complaint_is_never_linked_to_itself(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        worker_ctx: dict[str, Any],
        kind: str,
    ) -> None:
        complaint_id = await submit(api_client, intake_headers, body=FRYER)
        supervisor = await make_person("supervisor", [])
        response = await api_client.post(
            f"/v1/complaints/{complaint_id}/links",
            json={"related_id": str(complaint_id), "kind": kind},
            headers=supervisor.headers,
        )
        assert_problem(response, 409, "conflict")

    async def test_related_reads_the_same_from_both_sides(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        worker_ctx: dict[str, Any],
    ) -> None:
        first_id, second_id = await _two_tickets(api_client, intake_headers, worker_ctx)
        supervisor = await make_person("supervisor", [])
        one = await api_client.post(
            f"/v1/complaints/{first_id}/links",
            json={"related_id": str(second_id)},
            headers=supervisor.headers,
        )
        other = await api_client.post(
            f"/v1/complaints/{second_id}/links",
            json={"related_id": str(first_id)},
            headers=supervisor.headers,
        )
        assert (one.status_code, other.status_code) == (201, 200)
        assert one.json()["id"] == other.json()["id"]
        assert other.json()["other"]["id"] == str(first_id)


class TestRepeatsMarkedByHand:
    async def test_a_repeat_of_link_flags_raises_and_retimes_and_removing_it_takes_the_mark_off(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        """Triage missed it (another matter by its text); the agent on the phone knows better."""
        first_id, second_id = await _two_tickets(
            api_client, intake_headers, worker_ctx, body=PARCEL, channel="web_form"
        )
        before = await load(sessionmaker, second_id)
        assert (before.urgency, before.repeat_of_id) == ("P3", None)
        assert before.first_response_due_at is not None
        lead = await make_person("team_lead", [before.department])
        spec = {"related_id": str(first_id), "kind": "repeat_of"}

        created = await api_client.post(f"/v1/complaints/{second_id}/links", json=spec, headers=lead.headers)
        again = await api_client.post(f"/v1/complaints/{second_id}/links", json=spec, headers=lead.headers)

        assert (created.status_code, again.status_code) == (201, 200)
        marked = await load(sessionmaker, second_id)
        assert marked.repeat_of_id == first_id
        assert "repeat" in marked.flags
        assert marked.urgency == "P2"  # raised once, not again by the repeated request
        assert marked.first_response_due_at is not None
        assert marked.first_response_due_at < before.first_response_due_at  # P2: 12 h, not 24 h
        assert marked.department == before.department
        assert {"complaint.marked_repeat", "complaint.urgency_changed"} <= set(
            await event_types(sessionmaker, second_id)
        )
        assert "complaint.repeated" in await event_types(sessionmaker, first_id)

        link_url = f"/v1/complaints/{first_id}/links/{created.json()['id']}"
        assert (await api_client.delete(link_url, headers=lead.headers)).status_code == 204
        unmarked = await load(sessionmaker, second_id)
        assert unmarked.repeat_of_id is None
        assert "repeat" not in unmarked.flags
        assert unmarked.urgency == "P2"
        assert "complaint.repeat_cleared" in await event_types(sessionmaker, second_id)

    async def test_a_complaint_cannot_repeat_a_later_one(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        first_id, second_id = await _two_tickets(api_client, intake_headers, worker_ctx, body=PARCEL)
        supervisor = await make_person("supervisor", [])

        response = await api_client.post(
            f"/v1/complaints/{first_id}/links",
            json={"related_id": str(second_id), "kind": "repeat_of"},
            headers=supervisor.headers,
        )

        assert_problem(response, 409, "conflict")
        links = (await api_client.get(f"/v1/complaints/{first_id}/links", headers=supervisor.headers)).json()
        assert links["items"] == []
        assert (await load(sessionmaker, first_id)).repeat_of_id is None
