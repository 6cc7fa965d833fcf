"""Hostile input through the whole app: each is refused with a problem (never a 5xx) and stores nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.intake.channels.registry import JSON_PAYLOADS
from complaint_service.models import Complaint
from tests.fixtures.builders import canonical, post_canonical

EMAIL_URL = "/v1/channels/email/complaints"
WECHAT_URL = "/v1/channels/wechat/complaints"
JSON_URLS = ["/v1/complaints", *(f"/v1/channels/{c.value}/complaints" for c in JSON_PAYLOADS)]
INTAKE_URLS = {
    **dict.fromkeys(JSON_URLS, "application/json"),
    EMAIL_URL: "message/rfc822",
    WECHAT_URL: "text/xml",
}
TEN_MB = 10 * 1024 * 1024
Post = Callable[..., Awaitable[httpx.Response]]
LEAK_MARKERS = ("Traceback", "sqlalchemy", "asyncpg", "syntax error", "SELECT ", "root:x:0:0")


def valid_payload(url: str) -> dict[str, Any]:
    """A payload the endpoint accepts, so a refusal is down to the hostile part alone."""
    if url == "/v1/complaints":
        return canonical()
    channel = url.split("/")[3]
    payload_type = next(p for c, p in JSON_PAYLOADS.items() if c.value == channel)
    example: dict[str, Any] = payload_type.model_json_schema()["examples"][0]
    return example


def into_first_string(payload: dict[str, Any], raw: bytes) -> bytes:
    """The payload as UTF-8 JSON with `raw` spliced into its first string value."""
    encoded = json.dumps(payload, ensure_ascii=False).encode()
    at = encoded.index(b': "') + 3
    return encoded[:at] + raw + encoded[at:]


async def stored(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Complaint)) or 0)


def assert_refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A 4xx problem document that gives nothing of the input or the internals back."""
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert not any(marker in response.text for marker in LEAK_MARKERS), response.text[:500]
    return body


def mail(body: bytes, *, headers: bytes = b"", content_type: bytes = b"text/plain; charset=utf-8") -> bytes:
    return (
        b"From: =?UTF-8?B?546L5bCP5piO?= <wang.xm@example.cn>\r\n"
        b"To: support@shop.example.com\r\n"
        b"Subject: =?UTF-8?B?6K6i5Y2V5pSv5LuY5aSx6LSl?=\r\n"
        b"Message-ID: <" + uuid.uuid4().hex.encode() + b"@example.cn>\r\n"
        b"MIME-Version: 1.0\r\n" + headers + b"Content-Type: " + content_type + b"\r\n\r\n" + body
    )


def wechat_text(content: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName>"
        "<FromUserName><![CDATA[oAbC123_customer_openid]]></FromUserName>"
        "<CreateTime>1795833000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{content}</Content><MsgId>24802011223344556</MsgId></xml>"
    ).encode()


@pytest.fixture
def post(api_client: httpx.AsyncClient, intake_headers: dict[str, str]) -> Post:
    """POSTs raw content to an intake endpoint with the intake key and the given content type."""

    async def send(url: str, content: Any, content_type: str) -> httpx.Response:
        return await api_client.post(
            url, content=content, headers={**intake_headers, "Content-Type": content_type}
        )

    return send


class TestXmlAttacks:
    BILLION_LAUGHS = (
        b'<?xml version="1.0"?>\n<!DOCTYPE xml [\n<!ENTITY lol "lol">\n'
        + b"".join(
            b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>\n<xml><ToUserName>gh_3f2a1b0c9d8e</ToUserName><FromUserName>oAbC123</FromUserName>"
        b"<CreateTime>1795833000</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>"
        b"<MsgId>1</MsgId></xml>"
    )

    @staticmethod
    def external_entity(system_id: str) -> bytes:
        return (
            f'<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "{system_id}">]>\n'
            "<xml><ToUserName>gh_3f2a1b0c9d8e</ToUserName><FromUserName>oAbC123</FromUserName>"
            "<CreateTime>1795833000</CreateTime><MsgType>text</MsgType>"
            "<Content>投诉：&xxe;</Content><MsgId>2</MsgId></xml>"
        ).encode()

    async def test_billion_laughs_is_refused_unexpanded(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        response = await post(WECHAT_URL, self.BILLION_LAUGHS, "text/xml")

        body = assert_refused(response, 422)
        assert "lol" not in response.text
        assert body["type"].endswith("/malformed-payload")
        assert await stored(sessionmaker) == 0

    @pytest.mark.parametrize(
        "system_id",
        ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:1/x"],
    )
    async def test_external_entities_are_never_resolved(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], system_id: str
    ) -> None:
        response = await post(WECHAT_URL, self.external_entity(system_id), "application/xml")

        assert_refused(response, 422)
        assert await stored(sessionmaker) == 0


class TestOversizedBodies:
    @pytest.mark.parametrize(("url", "content_type"), INTAKE_URLS.items())
    async def test_ten_megabytes_with_content_length(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str, content_type: str
    ) -> None:
        response = await post(url, b"a" * TEN_MB, content_type)

        body = assert_refused(response, 413)
        assert body["type"].endswith("/payload-too-large")
        assert await stored(sessionmaker) == 0

    @pytest.mark.parametrize(("url", "content_type"), INTAKE_URLS.items())
    async def test_ten_megabytes_chunked_without_content_length(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str, content_type: str
    ) -> None:
        sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal sent
            chunk = "投诉内容".encode() * 21_846  # ~256 KiB of valid UTF-8
            while sent < TEN_MB:
                sent += len(chunk)
                yield chunk

        response = await post(url, chunks(), content_type)

        assert_refused(response, 413)
        assert sent < TEN_MB, "the app kept reading after the limit"
        assert await stored(sessionmaker) == 0


class TestBrokenMime:
    MULTIPART = b'multipart/mixed; boundary="b1"'

    async def refuse(self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], raw: bytes) -> None:
        assert_refused(await post(EMAIL_URL, raw, "message/rfc822"), 422)
        assert await stored(sessionmaker) == 0

    async def test_cut_in_the_middle_of_a_multipart(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        whole = mail(
            b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"6K6i5Y2VIDIwMjYxMTIyMDAwMSDmlK/ku5jlpLHotKXvvIzpkrHlt7Lnu4/miaPkuobjgII=\r\n--b1--\r\n",
            content_type=self.MULTIPART,
        )
        await self.refuse(post, sessionmaker, whole[: whole.index(b"Content-Transfer-Encoding")])

    async def test_boundary_never_closed_and_no_text_part(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        raw = mail(
            b"--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAcCBlCwAAAABJRU5ErkJggg==\r\n"
            b"--b1\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02",
            content_type=self.MULTIPART,
        )
        await self.refuse(post, sessionmaker, raw)

    async def test_binary_garbage(self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        garbage = bytes((i * 7919 + 13) % 256 for i in range(64 * 1024))
        await self.refuse(post, sessionmaker, b"\x89PNG\r\n\x1a\n\x00\x00" + garbage)

    @pytest.mark.parametrize("header", [b"Subject: ", b"X-Mailer: ", b"Message-ID: <"])
    async def test_header_line_of_200_kilobytes(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], header: bytes
    ) -> None:
        raw = mail("订单 202611220001 支付失败。\r\n".encode(), headers=b"X-Mailer: Foxmail 7.2\r\n")
        await self.refuse(post, sessionmaker, raw.replace(header, header + "投诉".encode() * 34_000, 1))

    async def test_header_line_of_200_kilobytes_before_any_header(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        raw = b"A" * (200 * 1024) + b"\r\n" + mail("订单支付失败\r\n".encode())
        await self.refuse(post, sessionmaker, raw)

    async def test_unclosed_boundary_with_a_whole_text_part_is_still_taken(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        """Decided: as mail clients do, a missing closing boundary loses nothing that arrived whole."""
        raw = mail(
            b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "訂單 202611220001 付款失敗，錢已經扣了。".encode()
            + b"\r\n--b1\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo",
            content_type=self.MULTIPART,
        )

        response = await post(EMAIL_URL, raw, "message/rfc822")

        assert response.status_code == 201, response.text
        async with sessionmaker() as session:
            complaint = await session.get(Complaint, uuid.UUID(response.json()["id"]))
        assert complaint is not None
        assert "付款失敗，錢已經扣了" in complaint.body


class TestWrongCharsets:
    async def test_unknown_mail_charset_is_accepted_with_replacement_characters(
        self, post: Post, api_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        """Decided: a complaint is never lost to a bad label; what cannot be decoded becomes U+FFFD."""
        raw = mail(
            "订单 202611220001 支付失败，钱已经扣了。".encode() + b" \xff\xfe\r\n",
            content_type=b"text/plain; charset=x-unknown-42",
        )

        response = await post(EMAIL_URL, raw, "message/rfc822")

        assert response.status_code == 201, response.text
        async with sessionmaker() as session:
            complaint = await session.get(Complaint, uuid.UUID(response.json()["id"]))
        assert complaint is not None
        assert "订单 202611220001 支付失败" in complaint.body
        assert "\ufffd" in complaint.body

    @pytest.mark.parametrize("url", JSON_URLS)
    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
    async def test_json_in_utf16_or_utf32_is_refused(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str, encoding: str
    ) -> None:
        utf8 = json.dumps(valid_payload(url), ensure_ascii=False)

        response = await post(url, utf8.encode(encoding), f"application/json; charset={encoding}")

        assert_refused(response, 415)
        assert await stored(sessionmaker) == 0
        assert (await post(url, utf8.encode(), "application/json")).status_code == 201

    @pytest.mark.parametrize("url", JSON_URLS)
    async def test_latin1_bytes_in_a_json_string_are_refused(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str
    ) -> None:
        payload = into_first_string(valid_payload(url), "Café renversé ".encode("latin-1"))

        assert_refused(await post(url, payload, "application/json"), 400, 422)
        assert await stored(sessionmaker) == 0


class TestNulBytes:
    @pytest.mark.parametrize("url", JSON_URLS)
    async def test_escaped_nul_in_a_json_string(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str
    ) -> None:
        payload = into_first_string(valid_payload(url), b"\\u0000; DROP TABLE complaints; ")

        assert_refused(await post(url, payload, "application/json"), 422)
        assert await stored(sessionmaker) == 0

    async def test_raw_nul_byte_in_a_json_string(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        payload = json.dumps(canonical(body="訂單付款失敗XX")).encode().replace(b"XX", b"\x00\x00")

        assert_refused(await post("/v1/complaints", payload, "application/json"), 422)
        assert await stored(sessionmaker) == 0

    @pytest.mark.parametrize(
        "content", ["订单支付失败\x00", "订单支付失败&#0;", "<![CDATA[订单\x00支付失败]]>"]
    )
    async def test_nul_in_wechat_xml(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], content: str
    ) -> None:
        assert_refused(await post(WECHAT_URL, wechat_text(content), "text/xml"), 422)
        assert await stored(sessionmaker) == 0

    @pytest.mark.parametrize(
        "path",
        ["/v1/complaints?q=%E8%AE%A2%E5%8D%95%00", "/v1/agents?department=%00", "/v1/departments/a%00b"],
    )
    async def test_nul_in_url_strings_that_reach_the_database(
        self, api_client: httpx.AsyncClient, admin_headers: dict[str, str], path: str
    ) -> None:
        body = assert_refused(await api_client.get(path, headers=admin_headers), 422)
        assert body["errors"][0]["type"] == "string_pattern_mismatch"


class TestHugeHeaders:
    async def test_a_64_kilobyte_header_is_no_server_error(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        response = await post_canonical(api_client, {**intake_headers, "X-Foo": "x" * 64 * 1024})

        assert response.status_code == 201, response.text

    async def test_an_idempotency_key_of_ten_thousand_entries(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        key = ", ".join(f"retry-{i}" for i in range(10_000))

        response = await post_canonical(api_client, {**intake_headers, "Idempotency-Key": key})

        body = assert_refused(response, 422)
        assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
        assert await stored(sessionmaker) == 0


class TestDeepNesting:
    @pytest.mark.parametrize("url", JSON_URLS)
    @pytest.mark.parametrize("opener", [b"[", b'{"a":'])
    async def test_100000_levels(
        self, post: Post, sessionmaker: async_sessionmaker[AsyncSession], url: str, opener: bytes
    ) -> None:
        closer = b"]" if opener == b"[" else b"}"
        payload = opener * 100_000 + b"1" + closer * 100_000

        assert_refused(await post(url, payload, "application/json"), 400, 422)
        assert await stored(sessionmaker) == 0


class TestInjectionLookingFilters:
    INJECTION = "' OR 1=1 --"

    @pytest.fixture
    async def one_complaint(self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]) -> str:
        response = await post_canonical(api_client, intake_headers)
        assert response.status_code == 201
        return str(response.json()["id"])

    @pytest.mark.parametrize(
        "q", ["' OR 1=1 --", "%' OR '1'='1", "_", "%", "\\", "'; DROP TABLE complaints; --"]
    )
    async def test_text_search_matches_literally(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str], one_complaint: str, q: str
    ) -> None:
        response = await api_client.get("/v1/complaints", params={"q": q}, headers=reader_headers)

        assert response.status_code == 200, response.text
        assert response.json()["items"] == []

    async def test_nul_in_text_search(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str], one_complaint: str
    ) -> None:
        response = await api_client.get(
            "/v1/complaints", params={"q": "订单\x00' OR 1=1 --"}, headers=reader_headers
        )

        assert_refused(response, 422)
        assert one_complaint not in response.text

    @pytest.mark.parametrize(
        "name",
        [
            "status",
            "channel",
            "category",
            "urgency",
            "department",
            "assignee_id",
            "customer_id",
            "received_from",
            "received_to",
            "limit",
        ],
    )
    @pytest.mark.parametrize("value", ["new' OR '1'='1", INJECTION])
    async def test_every_typed_filter_refuses_it(
        self,
        api_client: httpx.AsyncClient,
        reader_headers: dict[str, str],
        one_complaint: str,
        name: str,
        value: str,
    ) -> None:
        response = await api_client.get("/v1/complaints", params={name: value}, headers=reader_headers)

        body = assert_refused(response, 422)
        assert one_complaint not in response.text
        assert body["errors"][0]["loc"][:2] == ["query", name]

    async def test_cursor_refuses_it(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str], one_complaint: str
    ) -> None:
        response = await api_client.get(
            "/v1/complaints", params={"cursor": self.INJECTION}, headers=reader_headers
        )

        assert_refused(response, 400)
        assert one_complaint not in response.text


class TestTraversalLookingIds:
    @pytest.mark.parametrize(
        "path",
        [
            "/v1/complaints/..%2F..%2Fetc%2Fpasswd",
            "/v1/complaints/..%2F..%2Fetc%2Fpasswd/timeline",
            "/v1/complaints/%2e%2e%2f%2e%2e%2fetc%2fpasswd/messages",
            "/v1/complaints/..%5C..%5Cwindows%5Cwin.ini",
            "/v1/customers/..%2F..%2Fetc%2Fpasswd",
            "/v1/complaints/%00",
        ],
    )
    async def test_is_a_problem_not_a_file(
        self, api_client: httpx.AsyncClient, reader_headers: dict[str, str], path: str
    ) -> None:
        response = await api_client.get(path, headers=reader_headers)

        assert_refused(response, 404, 422)
