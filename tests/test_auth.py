"""API keys: every endpoint but health needs one, and scopes limit what it can do."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.auth import service as auth_service
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem, canonical, post_canonical

READ_ENDPOINTS = [
    "/v1/complaints",
    "/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
    "/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11/timeline",
    "/v1/complaints/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11/messages",
    "/v1/customers/0193a5c2-7f1e-7cc0-9d1a-4f7b2e9c0a11",
]


class TestApiKeys:
    @pytest.mark.parametrize("path", READ_ENDPOINTS)
    async def test_requests_without_a_key_are_401(self, api_client: httpx.AsyncClient, path: str) -> None:
        response = await api_client.get(path)
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_intake_without_a_key_is_401(self, api_client: httpx.AsyncClient) -> None:
        assert_problem(await api_client.post("/v1/complaints", json=canonical()), 401, "unauthorized")

    @pytest.mark.parametrize("path", READ_ENDPOINTS)
    async def test_intake_key_cannot_read(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], path: str
    ) -> None:
        assert_problem(await api_client.get(path, headers=intake_headers), 403, "forbidden")

    async def test_intake_key_is_limited_to_its_channels(
        self, api_client: httpx.AsyncClient, make_key: MakeKey
    ) -> None:
        sms_only = await make_key("intake:sms", name="sms-gateway")
        allowed = await post_canonical(api_client, sms_only, channel="sms")
        refused = await post_canonical(api_client, sms_only, channel="weibo")
        assert allowed.status_code == 201
        assert_problem(refused, 403, "forbidden")

    async def test_reader_key_cannot_submit(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str]
    ) -> None:
        assert_problem(await post_canonical(api_client, reader_headers), 403, "forbidden")

    async def test_unknown_and_revoked_keys_are_401(
        self, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessionmaker() as session, session.begin():
            key, token = await auth_service.create_key(session, name="old", scopes=["complaints:read"])
        headers = {"Authorization": f"Bearer {token}"}
        assert (await api_client.get("/v1/complaints", headers=headers)).status_code == 200
        async with sessionmaker() as session, session.begin():
            assert await auth_service.revoke_key(session, key_id=key.id)

        assert_problem(await api_client.get("/v1/complaints", headers=headers), 401, "unauthorized")
        bogus = {"Authorization": "Bearer cs_not_a_real_key"}
        assert_problem(await api_client.get("/v1/complaints", headers=bogus), 401, "unauthorized")

    async def test_keys_are_stored_hashed_and_scopes_validated(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessionmaker() as session, session.begin():
            key, token = await auth_service.create_key(
                session, name="wechat-adapter", scopes=["intake:wechat"]
            )
            assert token not in (key.token_hash, key.prefix)
            assert token.startswith(key.prefix)
            with pytest.raises(auth_service.UnknownScopeError):
                await auth_service.create_key(session, name="bad", scopes=["intake:fax"])
