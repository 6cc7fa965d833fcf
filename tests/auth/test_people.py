"""People sign in with a password or an identity provider's token, and are refused when they should be."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from complaint_service.app import create_app
from complaint_service.cli import ensure_demo_person
from complaint_service.settings import AuthConfig, Settings
from tests.fixtures.builders import assert_problem

PASSWORD = "correct horse battery staple"


async def create_person(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "name": "李娜",
        "email": f"li.na.{uuid.uuid4().hex[:6]}@example.com",
        "departments": ["finance"],
        "password": PASSWORD,
        **fields,
    }
    response = await client.post("/v1/agents", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/v1/auth/token", json={"email": email, "password": password})


class TestSignIn:
    async def test_a_person_signs_in_and_the_token_carries_their_role_and_departments(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        person = await create_person(api_client, admin_headers, role="team_lead", scopes=["pii:read"])
        assert person["can_sign_in"] is True
        assert "password" not in person

        response = await sign_in(api_client, person["email"].upper())  # e-mail is case-insensitive
        assert response.status_code == 200, response.text
        token = response.json()
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 900
        me = await api_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert me.status_code == 200
        assert me.json() == {
            "kind": "person",
            "id": person["id"],
            "name": "李娜",
            "role": "team_lead",
            "departments": ["finance"],
            "sees_all_departments": False,
            "scopes": ["complaints:read", "pii:read"],
        }

    async def test_wrong_password_and_unknown_email_look_the_same(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        person = await create_person(api_client, admin_headers)
        wrong = assert_problem(
            await sign_in(api_client, person["email"], "not the password"), 401, "unauthorized"
        )
        unknown = assert_problem(await sign_in(api_client, "nobody@example.com"), 401, "unauthorized")
        assert wrong["detail"] == unknown["detail"]

    async def test_a_disabled_person_is_locked_out_at_once_even_with_a_token(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        person = await create_person(api_client, admin_headers)
        token = (await sign_in(api_client, person["email"])).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await api_client.get("/v1/auth/me", headers=headers)).status_code == 200

        disabled = await api_client.patch(
            f"/v1/agents/{person['id']}", json={"disabled": True}, headers=admin_headers
        )
        assert disabled.status_code == 200
        assert disabled.json()["disabled_at"] is not None
        assert_problem(await api_client.get("/v1/auth/me", headers=headers), 401, "unauthorized")
        assert_problem(await sign_in(api_client, person["email"]), 401, "unauthorized")

    async def test_repeated_failures_are_throttled_with_retry_after(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], redis: Any
    ) -> None:
        person = await create_person(api_client, admin_headers)
        for _ in range(10):
            assert (await sign_in(api_client, person["email"], "guess")).status_code == 401
        throttled = assert_problem(await sign_in(api_client, person["email"]), 429, "too-many-requests")
        assert throttled["detail"]
        response = await sign_in(api_client, person["email"])
        assert int(response.headers["Retry-After"]) > 0

    async def test_two_people_cannot_share_an_email(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        person = await create_person(api_client, admin_headers)
        again = await api_client.post(
            "/v1/agents",
            json={"name": "x", "email": person["email"].upper(), "departments": ["finance"]},
            headers=admin_headers,
        )
        assert_problem(again, 409, "conflict")

    @pytest.mark.parametrize("password", ["short", "x" * 257])
    async def test_weak_or_absurd_passwords_are_refused(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], password: str
    ) -> None:
        response = await api_client.post(
            "/v1/agents",
            json={"name": "x", "email": "x@example.com", "departments": ["finance"], "password": password},
            headers=admin_headers,
        )
        assert_problem(response, 422, "validation-error")


class TestLocalTokens:
    @pytest.mark.parametrize(
        "tamper",
        [
            lambda claims, key: jwt.encode(claims | {"exp": int(time.time()) - 5}, key, algorithm="HS256"),
            lambda claims, key: jwt.encode(claims, "not-our-key-" + "x" * 40, algorithm="HS256"),
            lambda claims, key: jwt.encode(claims | {"iss": "someone-else"}, key, algorithm="HS256"),
            lambda claims, key: jwt.encode(claims, key, algorithm="HS256")[:-4] + "AAAA",
            lambda claims, key: "not.a.jwt",
        ],
        ids=["expired", "foreign-key", "foreign-issuer", "bad-signature", "garbage"],
    )
    async def test_expired_forged_and_garbage_tokens_are_401(
        self, api_client: httpx.AsyncClient, app: FastAPI, make_person: Any, tamper: Any
    ) -> None:
        person = await make_person("supervisor", ["finance"])
        claims = {
            "iss": "complaint-service",
            "sub": str(person.id),
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        }
        token = tamper(claims, app.state.jwt_key)
        response = await api_client.get("/v1/complaints", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401, "unauthorized")


class _Jwks:
    """An identity provider's JWKS endpoint, on a real local HTTP server."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.document = {"keys": [public | {"kid": "k1", "alg": "RS256", "use": "sig"}]}
        self.fetches = 0

    def token(self, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        base = {"iss": "https://idp.example.com", "aud": "complaint-service", "iat": now, "exp": now + 300}
        return jwt.encode(base | claims, key or self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def jwks_server() -> Iterator[tuple[_Jwks, str]]:
    idp = _Jwks()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            idp.fetches += 1
            body = json.dumps(idp.document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield idp, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def idp_client(
    settings: Settings, jwks_server: tuple[_Jwks, str], clean_tables: None
) -> AsyncIterator[httpx.AsyncClient]:
    auth = AuthConfig(
        jwks_url=jwks_server[1],
        jwks_issuer="https://idp.example.com",
        jwks_audience="complaint-service",
        role_map={"cs-lead": "team_lead", "cs-boss": "supervisor"},
    )
    app = create_app(settings.model_copy(update={"auth": auth}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


class TestIdentityProvider:
    async def test_a_new_person_is_provisioned_from_the_claims_and_kept_in_step(
        self, idp_client: httpx.AsyncClient, jwks_server: tuple[_Jwks, str]
    ) -> None:
        idp, _ = jwks_server
        token = idp.token(
            sub="u-42", name="陳大文", roles=["cs-lead", "unrelated"], departments=["logistics", "nope"]
        )
        me = await idp_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert (me.json()["name"], me.json()["role"], me.json()["departments"]) == (
            "陳大文",
            "team_lead",
            ["logistics"],
        )

        promoted = idp.token(sub="u-42", roles=["cs-boss"], departments=["logistics"])
        again = await idp_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {promoted}"})
        assert again.json()["id"] == me.json()["id"]
        assert again.json()["role"] == "supervisor"
        assert again.json()["sees_all_departments"] is True
        assert idp.fetches == 1  # the key set is cached

    async def test_tokens_the_provider_did_not_sign_or_not_for_us_are_refused(
        self, idp_client: httpx.AsyncClient, jwks_server: tuple[_Jwks, str]
    ) -> None:
        idp, _ = jwks_server
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for token in (
            idp.token(key=stranger, sub="u-1"),
            idp.token(sub="u-1", aud="another-service"),
            idp.token(sub="u-1", iss="https://evil.example.com"),
            idp.token(sub="u-1", exp=int(time.time()) - 10),
        ):
            response = await idp_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert_problem(response, 401, "unauthorized")


class TestDemoSupervisor:
    async def test_dev_mode_creates_a_supervisor_who_can_sign_in_and_keeps_the_password(
        self, api_client: httpx.AsyncClient, settings: Settings
    ) -> None:
        email, password = await ensure_demo_person(settings)
        assert await ensure_demo_person(settings) == (email, password)
        token = (await sign_in(api_client, email, password)).json()["access_token"]
        me = (await api_client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})).json()
        assert me["role"] == "supervisor"
        assert me["sees_all_departments"] is True


class TestAvailability:
    async def test_people_go_away_and_come_back_but_keys_have_no_availability(
        self,
        api_client: httpx.AsyncClient,
        make_person: Any,
        admin_headers: dict[str, str],
    ) -> None:
        person = await make_person("agent", ["finance"], status="active")
        away = await api_client.patch("/v1/auth/me", json={"status": "away"}, headers=person.headers)
        assert away.status_code == 200, away.text
        agent = (await api_client.get(f"/v1/agents/{person.id}", headers=admin_headers)).json()
        assert agent["status"] == "away"
        refused = await api_client.patch("/v1/auth/me", json={"status": "away"}, headers=admin_headers)
        assert_problem(refused, 403, "forbidden")
        assert_problem(
            await api_client.patch("/v1/auth/me", json={"status": "asleep"}, headers=person.headers),
            422,
            "validation-error",
        )
