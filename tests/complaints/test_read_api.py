"""Read API: detail with PII masked per scope, filters, stable keyset pages, timeline, customers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem, post_canonical

PII_BODY = "我的手机号13812345678，身份证11010519491231002X，请尽快回电。"


async def _create_many(
    client: httpx.AsyncClient, headers: dict[str, str], count: int, **kw: Any
) -> list[str]:
    ids = []
    for i in range(count):
        response = await post_canonical(
            client, headers, external_id=f"bulk-{kw.get('channel', 'x')}-{i}", **kw
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


class TestComplaintDetail:
    async def test_pii_is_masked_without_the_scope_and_shown_with_it(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        reader_headers: dict[str, str],
        make_key: MakeKey,
    ) -> None:
        created = await post_canonical(api_client, intake_headers, body=PII_BODY)
        url = created.json()["link"]

        masked = (await api_client.get(url, headers=reader_headers)).json()
        clear = (await api_client.get(url, headers=await make_key("complaints:read", "pii:read"))).json()

        assert masked["has_pii"] is True
        assert masked["pii_masked"] is True
        assert "13812345678" not in masked["body"]
        assert "138****5678" in masked["body"]
        assert "11010519491231002X" not in masked["body"]
        assert clear["body"] == PII_BODY
        assert clear["pii_masked"] is False

    async def test_unknown_complaint_is_a_404_problem(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        response = await api_client.get(
            "/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11", headers=reader_headers
        )
        assert_problem(response, 404, "not-found")

    async def test_timeline_and_messages(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        link = (await post_canonical(api_client, intake_headers, body=PII_BODY)).json()["link"]

        timeline = (await api_client.get(f"{link}/timeline", headers=reader_headers)).json()
        messages = (await api_client.get(f"{link}/messages", headers=reader_headers)).json()

        assert [e["type"] for e in timeline["items"]] == ["complaint.received"]
        assert timeline["items"][0]["actor"] == "api_key:adapter"
        assert timeline["items"][0]["request_id"]
        assert len(messages["items"]) == 1
        assert "138****5678" in messages["items"][0]["body"]


class TestComplaintList:
    async def test_filters_combine(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        await _create_many(api_client, intake_headers, 3, channel="sms", body="快递三天没有更新物流信息")
        await _create_many(api_client, intake_headers, 2, channel="weibo", body="客服态度很差")

        sms = (await api_client.get("/v1/complaints?channel=sms", headers=reader_headers)).json()
        both = (
            await api_client.get("/v1/complaints?channel=sms&channel=weibo", headers=reader_headers)
        ).json()
        text = (await api_client.get("/v1/complaints", params={"q": "态度"}, headers=reader_headers)).json()
        none = (
            await api_client.get("/v1/complaints?channel=sms&status=resolved", headers=reader_headers)
        ).json()

        assert len(sms["items"]) == 3
        assert {c["channel"] for c in sms["items"]} == {"sms"}
        assert len(both["items"]) == 5
        assert len(text["items"]) == 2
        assert {c["channel"] for c in text["items"]} == {"weibo"}
        assert none["items"] == []

    async def test_like_wildcards_in_the_query_are_literal(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        await _create_many(api_client, intake_headers, 2, channel="sms", body="普通投诉")
        found = (await api_client.get("/v1/complaints", params={"q": "%"}, headers=reader_headers)).json()
        assert found["items"] == []

    async def test_received_range(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        await post_canonical(api_client, intake_headers, received_at="2026-11-01T09:00:00+08:00")
        inside = await post_canonical(api_client, intake_headers, received_at="2026-11-20T09:00:00+08:00")

        page = (
            await api_client.get(
                "/v1/complaints",
                params={
                    "received_from": "2026-11-15T00:00:00+08:00",
                    "received_to": "2026-11-21T00:00:00+08:00",
                },
                headers=reader_headers,
            )
        ).json()
        assert [c["id"] for c in page["items"]] == [inside.json()["id"]]

    async def test_keyset_pages_are_stable_while_complaints_arrive(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        original = await _create_many(api_client, intake_headers, 25, channel="sms")
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
            page = (await api_client.get("/v1/complaints", params=params, headers=reader_headers)).json()
            seen += [c["id"] for c in page["items"]]
            pages += 1
            # New complaints land between page requests, concurrently with the next read.
            await asyncio.gather(
                *(post_canonical(api_client, intake_headers, channel="weibo") for _ in range(3))
            )
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert pages == 3
        assert seen == list(reversed(original))

    async def test_foreign_cursor_is_a_400(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        response = await api_client.get(
            "/v1/complaints", params={"cursor": "not-a-cursor!"}, headers=reader_headers
        )
        assert_problem(response, 400, "bad-request")

    async def test_unknown_filter_value_is_a_422(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        response = await api_client.get("/v1/complaints?status=lost", headers=reader_headers)
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"][:2] == ["query", "status"]


class TestCustomer:
    async def test_customer_with_masked_identities_and_complaints(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], reader_headers: dict[str, str]
    ) -> None:
        first = await post_canonical(
            api_client, intake_headers, customer={"phone": "13812345678", "email": "a.li@example.com"}
        )
        await post_canonical(api_client, intake_headers, channel="sms", customer={"phone": "+8613812345678"})
        complaint = (await api_client.get(first.json()["link"], headers=reader_headers)).json()

        customer = (await api_client.get(complaint["links"]["customer"], headers=reader_headers)).json()

        assert {(i["kind"], i["value"]) for i in customer["identities"]} == {
            ("phone", "+86 138****5678"),
            ("email", "a***@example.com"),
        }
        assert len(customer["complaints"]) == 2
