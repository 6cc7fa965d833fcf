"""WeChat's server protocol end to end: handshake, signed plain and safe-mode pushes, hostile XML."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.app import create_app
from complaint_service.intake.channels.wechat_crypto import WeChatCrypto
from complaint_service.models import Complaint
from complaint_service.settings import Settings, WeChatAccount
from tests.fixtures.builders import assert_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "wechat"
TOKEN = "complaintToken2026"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
APP_ID = "wx1234567890abcdef"
XML = {"Content-Type": "text/xml"}


def signed(timestamp: str | None = None, nonce: str = "1320562132") -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    signature = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": ts, "nonce": nonce, "openid": "oAbC123_customer_openid"}


@pytest.fixture(scope="module")
async def wechat_app(settings: Settings) -> AsyncIterator[FastAPI]:
    account = WeChatAccount(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APP_ID)  # type: ignore[arg-type]
    app = create_app(settings.model_copy(update={"wechat": account}))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def wechat(wechat_app: FastAPI, clean_tables: None) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=wechat_app), base_url="http://t"
    ) as client:
        yield client


async def count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Complaint)) or 0)


class TestWeChatEndpoint:
    async def test_handshake_echoes_only_with_a_valid_signature(self, wechat: httpx.AsyncClient) -> None:
        ok = await wechat.get(
            "/v1/channels/wechat/complaints", params={**signed(), "echostr": "7215349876543210"}
        )
        bad = await wechat.get(
            "/v1/channels/wechat/complaints", params={**signed(), "signature": "0" * 40, "echostr": "x"}
        )
        assert ok.status_code == 200
        assert ok.text == "7215349876543210"
        assert_problem(bad, 401, "unauthorized")

    async def test_signed_text_push_creates_one_complaint_even_when_retried(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], make_key: object
    ) -> None:
        body = (FIXTURES / "text.xml").read_bytes()
        first = await wechat.post(
            "/v1/channels/wechat/complaints", params=signed(), content=body, headers=XML
        )
        retry = await wechat.post(
            "/v1/channels/wechat/complaints", params=signed(), content=body, headers=XML
        )

        assert first.status_code == retry.status_code == 200
        assert first.text == "success"
        assert first.headers["x-complaint-reference"] == retry.headers["x-complaint-reference"]
        assert await count(sessionmaker) == 1
        async with sessionmaker() as session:
            complaint = await session.scalar(select(Complaint))
        assert complaint is not None
        assert complaint.external_id == "24802011223344556"
        assert "支付失败" in complaint.body
        assert complaint.has_pii

    async def test_image_and_voice_pushes_keep_media_as_attachments(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        for name in ("image.xml", "voice.xml"):
            response = await wechat.post(
                "/v1/channels/wechat/complaints",
                params=signed(),
                content=(FIXTURES / name).read_bytes(),
                headers=XML,
            )
            assert response.status_code == 200
            assert "location" in response.headers
        async with sessionmaker() as session:
            complaints = (await session.scalars(select(Complaint).order_by(Complaint.id))).all()
        assert [len(c.attachments) for c in complaints] == [1, 1]
        assert complaints[0].attachments[0]["media_id"]

    async def test_subscribe_event_is_acknowledged_without_a_complaint(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        response = await wechat.post(
            "/v1/channels/wechat/complaints",
            params=signed(),
            content=(FIXTURES / "subscribe.xml").read_bytes(),
            headers=XML,
        )
        assert response.status_code == 200
        assert response.text == "success"
        assert await count(sessionmaker) == 0

    async def test_safe_mode_push_is_decrypted(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        encrypted = WeChatCrypto(AES_KEY, APP_ID).encrypt((FIXTURES / "text.xml").read_bytes())
        params = signed()
        digest = "".join(sorted([TOKEN, params["timestamp"], params["nonce"], encrypted]))
        params |= {"encrypt_type": "aes", "msg_signature": hashlib.sha1(digest.encode()).hexdigest()}
        envelope = (
            "<xml><ToUserName><![CDATA[gh_3f2a1b4c5d6e]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )

        response = await wechat.post(
            "/v1/channels/wechat/complaints", params=params, content=envelope, headers=XML
        )
        tampered = await wechat.post(
            "/v1/channels/wechat/complaints",
            params={**params, "msg_signature": "0" * 40},
            content=envelope,
            headers=XML,
        )

        assert response.status_code == 200, response.text
        assert await count(sessionmaker) == 1
        assert_problem(tampered, 401, "unauthorized")

    async def test_bad_signature_stale_timestamp_and_no_credentials_are_refused(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        body = (FIXTURES / "text.xml").read_bytes()
        forged = await wechat.post(
            "/v1/channels/wechat/complaints",
            params={**signed(), "signature": "f" * 40},
            content=body,
            headers=XML,
        )
        stale = await wechat.post(
            "/v1/channels/wechat/complaints",
            params=signed(timestamp=str(int(time.time()) - 3600)),
            content=body,
            headers=XML,
        )
        anonymous = await wechat.post("/v1/channels/wechat/complaints", content=body, headers=XML)

        for response in (forged, stale, anonymous):
            assert_problem(response, 401, "unauthorized")
        assert await count(sessionmaker) == 0

    async def test_adapter_with_an_intake_key_may_relay_unsigned_xml(
        self, wechat: httpx.AsyncClient, make_key: object
    ) -> None:
        headers = await make_key("intake:wechat", name="wechat-adapter")  # type: ignore[operator]
        response = await wechat.post(
            "/v1/channels/wechat/complaints",
            content=(FIXTURES / "text.xml").read_bytes(),
            headers={**XML, **headers},
        )
        wrong_scope = await make_key("intake:sms")  # type: ignore[operator]
        refused = await wechat.post(
            "/v1/channels/wechat/complaints",
            content=(FIXTURES / "text.xml").read_bytes(),
            headers={**XML, **wrong_scope},
        )
        assert response.status_code == 200
        assert_problem(refused, 403, "forbidden")

    @pytest.mark.parametrize("name", ["bomb.xml", "xxe.xml"])
    async def test_hostile_xml_is_a_4xx_and_stores_nothing(
        self, wechat: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], name: str
    ) -> None:
        response = await wechat.post(
            "/v1/channels/wechat/complaints",
            params=signed(),
            content=(FIXTURES / name).read_bytes(),
            headers=XML,
        )
        problem = assert_problem(response, 422, "malformed-payload")
        assert "root:" not in response.text
        assert problem["detail"]
        assert await count(sessionmaker) == 0

    async def test_garbage_and_wrong_content_type(self, wechat: httpx.AsyncClient) -> None:
        garbage = await wechat.post(
            "/v1/channels/wechat/complaints", params=signed(), content=b"<xml><oops", headers=XML
        )
        json_body = await wechat.post(
            "/v1/channels/wechat/complaints", params=signed(), json={"MsgType": "text"}
        )
        assert_problem(garbage, 422, "malformed-payload")
        assert_problem(json_body, 415, "unsupported-media-type")
