"""Admin API for webhooks: access, validation, one-time secrets, delivery pages."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.outbound import service as outbound_service
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem
from tests.outbound.helpers import create_endpoint

HOOK = "https://adapters.example.com/wechat/outbound"
UNKNOWN = "0193a5c2-7f25-7000-8000-0a0b0c0d0e20"
Sessions = async_sessionmaker[AsyncSession]


class TestWebhookApi:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/v1/webhooks/endpoints"),
            ("POST", "/v1/webhooks/endpoints"),
            ("GET", f"/v1/webhooks/endpoints/{UNKNOWN}"),
            ("DELETE", f"/v1/webhooks/endpoints/{UNKNOWN}"),
            ("GET", "/v1/webhooks/deliveries"),
            ("POST", f"/v1/webhooks/deliveries/{UNKNOWN}/redeliver"),
        ],
    )
    async def test_needs_an_admin_key(
        self, api_client: httpx.AsyncClient, make_key: MakeKey, method: str, path: str
    ) -> None:
        reader = await make_key("complaints:read", "pii:read", name="frontend")
        assert_problem(await api_client.request(method, path), 401, "unauthorized")
        assert_problem(await api_client.request(method, path, headers=reader), 403, "forbidden")

    @pytest.mark.parametrize("url", ["ftp://files.example.com/hook", "not a url", "javascript:alert(1)", ""])
    async def test_invalid_url_is_a_422_problem(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], url: str
    ) -> None:
        response = await api_client.post(
            "/v1/webhooks/endpoints",
            json={"name": "微信适配器", "url": url, "channels": ["wechat"]},
            headers=admin_headers,
        )
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "url"]

    async def test_unknown_event_type_and_empty_subscription_are_422(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        unknown = await api_client.post(
            "/v1/webhooks/endpoints",
            json={"name": "CRM", "url": HOOK, "event_types": ["complaint.deleted"]},
            headers=admin_headers,
        )
        empty = await api_client.post(
            "/v1/webhooks/endpoints", json={"name": "CRM", "url": HOOK}, headers=admin_headers
        )
        assert assert_problem(unknown, 422, "validation-error")["errors"][0]["loc"][:2] == [
            "body",
            "event_types",
        ]
        assert_problem(empty, 422, "validation-error")

    async def test_generated_secret_is_shown_once(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        created = await create_endpoint(
            api_client, admin_headers, url=HOOK, event_types=["sla.breached", "*"]
        )
        secret = created["secret"]

        shown = (
            await api_client.get(f"/v1/webhooks/endpoints/{created['id']}", headers=admin_headers)
        ).json()
        listed = (await api_client.get("/v1/webhooks/endpoints", headers=admin_headers)).json()

        assert len(secret) >= 40
        assert created["event_types"] == ["*", "sla.breached"]
        assert created["channels"] == ["wechat"]
        assert shown["secret"] is None
        assert shown["secret_prefix"] == secret[:6] + "…"
        assert [e["secret"] for e in listed] == [None]
        assert secret not in (await api_client.get("/v1/webhooks/endpoints", headers=admin_headers)).text

    async def test_given_secret_is_kept_and_rotation_shows_the_new_one_once(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        given = "whsec-客服-rotation-test-0001-abcdef"
        created = await create_endpoint(api_client, admin_headers, url=HOOK, secret=given)
        path = f"/v1/webhooks/endpoints/{created['id']}"

        renamed = (
            await api_client.patch(path, json={"name": "微信公众号适配器"}, headers=admin_headers)
        ).json()
        rotated = (await api_client.patch(path, json={"rotate_secret": True}, headers=admin_headers)).json()
        after = (await api_client.get(path, headers=admin_headers)).json()

        assert created["secret"] == given
        assert renamed["name"] == "微信公众号适配器"
        assert renamed["secret"] is None
        assert rotated["secret"] not in (None, given)
        assert after["secret"] is None
        assert after["secret_prefix"] == rotated["secret"][:6] + "…"
        assert after["name"] == "微信公众号适配器"
        assert after["url"] == HOOK

    async def test_delete_then_404(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        created = await create_endpoint(api_client, admin_headers, url=HOOK)
        path = f"/v1/webhooks/endpoints/{created['id']}"
        assert (await api_client.delete(path, headers=admin_headers)).status_code == 204
        assert_problem(await api_client.get(path, headers=admin_headers), 404, "not-found")
        assert_problem(await api_client.delete(path, headers=admin_headers), 404, "not-found")

    async def test_unknown_delivery_is_404_and_foreign_cursor_400(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        assert_problem(
            await api_client.get(f"/v1/webhooks/deliveries/{UNKNOWN}", headers=admin_headers),
            404,
            "not-found",
        )
        redeliver = await api_client.post(
            f"/v1/webhooks/deliveries/{UNKNOWN}/redeliver", headers=admin_headers
        )
        assert_problem(redeliver, 404, "not-found")
        cursor = await api_client.get(
            "/v1/webhooks/deliveries", params={"cursor": "?!"}, headers=admin_headers
        )
        assert_problem(cursor, 400, "bad-request")

    async def test_deliveries_are_keyset_paged_newest_first_and_filtered(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        await create_endpoint(api_client, admin_headers, url=HOOK, channels=[], event_types=["*"])
        second = await create_endpoint(
            api_client, admin_headers, url=HOOK, channels=[], event_types=["sla.warning"]
        )
        async with sessionmaker() as session, session.begin():
            for minutes in (30, 20, 10):
                await outbound_service.publish(
                    session, complaint_id=None, event_type="sla.warning", data={"remaining_minutes": minutes}
                )

        seen: list[str] = []
        params: dict[str, str | int] = {"limit": 4}
        while True:
            page = (
                await api_client.get("/v1/webhooks/deliveries", params=params, headers=admin_headers)
            ).json()
            seen += [d["id"] for d in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        only_second = await api_client.get(
            "/v1/webhooks/deliveries",
            params={"endpoint_id": second["id"], "status": "pending"},
            headers=admin_headers,
        )

        assert len(seen) == 6
        assert seen == sorted(seen, reverse=True)
        assert {d["endpoint_id"] for d in only_second.json()["items"]} == {second["id"]}
        assert len(only_second.json()["items"]) == 3
