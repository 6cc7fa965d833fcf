"""The abuse API: who may review, the queue pages, decisions and blocks, and their problems."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.fixtures.builders import assert_problem
from tests.fixtures.people import MakePerson
from tests.fixtures.senders import submit, triage

HELD = "held for abuse review"


async def held(
    client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any], *senders: int
) -> list[str]:
    ids = [await submit(client, headers, "。。。？？？", sender=n) for n in senders]
    assert [await triage(ctx, i) for i in ids] == [HELD] * len(ids)
    return [str(i) for i in ids]


class TestAccess:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/v1/abuse/reviews"),
            ("POST", f"/v1/abuse/reviews/{uuid.UUID(int=1)}/confirm"),
            ("POST", f"/v1/abuse/reviews/{uuid.UUID(int=1)}/release"),
            ("GET", "/v1/abuse/blocks"),
            ("DELETE", f"/v1/abuse/blocks/{uuid.UUID(int=1)}"),
        ],
    )
    async def test_team_lead_or_above_only(
        self,
        api_client: httpx.AsyncClient,
        make_person: MakePerson,
        reader_headers: dict[str, str],
        method: str,
        path: str,
    ) -> None:
        body: dict[str, object] | None = {} if method == "POST" else None
        anonymous = await api_client.request(method, path, json=body)
        assert_problem(anonymous, 401, "unauthorized")
        agent = await make_person("agent", ["finance"])
        assert_problem(
            await api_client.request(method, path, json=body, headers=agent.headers), 403, "forbidden"
        )
        integration = await api_client.request(method, path, json=body, headers=reader_headers)
        assert_problem(integration, 403, "forbidden")
        lead = await make_person("team_lead", ["finance"])
        allowed = await api_client.request(method, path, json=body, headers=lead.headers)
        assert allowed.status_code in {200, 404}, allowed.text


class TestReviews:
    async def test_the_queue_is_paged_oldest_first_and_masks_personal_data(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
        make_person: MakePerson,
    ) -> None:
        ids = await held(api_client, intake_headers, worker_ctx, 1, 2, 3)
        lead = await make_person("team_lead", ["customer_service"])
        first = (await api_client.get("/v1/abuse/reviews?limit=2", headers=lead.headers)).json()
        rest = (
            await api_client.get(
                f"/v1/abuse/reviews?limit=2&cursor={first['next_cursor']}", headers=lead.headers
            )
        ).json()
        assert [i["complaint_id"] for i in first["items"] + rest["items"]] == ids
        assert rest["next_cursor"] is None
        item = first["items"][0]
        assert (item["status"], item["reasons"], item["complaint"]["flags"]) == (
            "pending",
            ["meaningless"],
            ["suspected_abuse"],
        )
        assert item["sender_key"].startswith("customer:")

    async def test_release_and_a_second_decision(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
        make_person: MakePerson,
    ) -> None:
        [complaint_id] = await held(api_client, intake_headers, worker_ctx, 1)
        lead = await make_person("team_lead", ["customer_service"])
        released = await api_client.post(
            f"/v1/abuse/reviews/{complaint_id}/release", json={"note": "真实问题"}, headers=lead.headers
        )
        assert released.status_code == 200, released.text
        body = released.json()
        assert (body["status"], body["decided_by"], body["note"]) == (
            "released",
            f"user:{lead.id}",
            "真实问题",
        )
        assert body["complaint"]["flags"] == []
        again = await api_client.post(
            f"/v1/abuse/reviews/{complaint_id}/confirm", json={}, headers=lead.headers
        )
        assert_problem(again, 409, "conflict")
        done = (await api_client.get("/v1/abuse/reviews?status=released", headers=lead.headers)).json()
        assert [i["complaint_id"] for i in done["items"]] == [complaint_id]

    async def test_bad_input_is_a_problem_not_an_error(
        self, api_client: httpx.AsyncClient, make_person: MakePerson
    ) -> None:
        lead = await make_person("team_lead", ["customer_service"])
        missing = await api_client.post(
            f"/v1/abuse/reviews/{uuid.uuid4()}/confirm", json={}, headers=lead.headers
        )
        assert_problem(missing, 404, "not-found")
        negative = await api_client.post(
            f"/v1/abuse/reviews/{uuid.uuid4()}/confirm", json={"block_hours": -1}, headers=lead.headers
        )
        assert_problem(negative, 422, "validation-error")
        cursor = await api_client.get("/v1/abuse/reviews?cursor=%%%", headers=lead.headers)
        assert_problem(cursor, 400, "bad-request")
        status = await api_client.get("/v1/abuse/reviews?status=maybe", headers=lead.headers)
        assert_problem(status, 422, "validation-error")


class TestBlocks:
    async def test_confirm_lists_a_block_that_can_be_lifted_once(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        worker_ctx: dict[str, Any],
        make_person: MakePerson,
    ) -> None:
        [complaint_id] = await held(api_client, intake_headers, worker_ctx, 1)
        lead = await make_person("team_lead", ["customer_service"])
        confirmed = await api_client.post(
            f"/v1/abuse/reviews/{complaint_id}/confirm", json={"block_hours": 1}, headers=lead.headers
        )
        block_id = confirmed.json()["block_id"]
        [block] = (await api_client.get("/v1/abuse/blocks", headers=lead.headers)).json()["items"]
        assert (block["id"], block["active"], block["complaint_id"]) == (block_id, True, complaint_id)

        lifted = await api_client.delete(f"/v1/abuse/blocks/{block_id}", headers=lead.headers)
        assert lifted.status_code == 200, lifted.text
        assert (lifted.json()["active"], lifted.json()["lifted_by"]) == (False, f"user:{lead.id}")
        assert (await api_client.get("/v1/abuse/blocks", headers=lead.headers)).json()["items"] == []
        history = (await api_client.get("/v1/abuse/blocks?active=false", headers=lead.headers)).json()[
            "items"
        ]
        assert [b["id"] for b in history] == [block_id]
        assert_problem(
            await api_client.delete(f"/v1/abuse/blocks/{block_id}", headers=lead.headers), 409, "conflict"
        )
