"""Raw e-mail intake end to end: charsets, attachments, threading, auto-replies and bad MIME."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Event, Message
from tests.fixtures.builders import assert_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "email"
URL = "/v1/channels/email/complaints"


async def post_mail(client: httpx.AsyncClient, headers: dict[str, str], raw: bytes) -> httpx.Response:
    return await client.post(URL, content=raw, headers={**headers, "Content-Type": "message/rfc822"})


async def load(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> Complaint:
    async with sessionmaker() as session:
        complaint = await session.get(Complaint, uuid.UUID(complaint_id))
    assert complaint is not None
    return complaint


class TestEmailEndpoint:
    async def test_gb2312_quoted_printable_mail(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        response = await post_mail(api_client, intake_headers, (FIXTURES / "gb2312_qp.eml").read_bytes())

        assert response.status_code == 201, response.text
        complaint = await load(sessionmaker, response.json()["id"])
        assert complaint.external_id == "gb-1@mail.example.cn"
        assert complaint.subject
        assert "\ufffd" not in complaint.subject
        assert "\ufffd" not in complaint.body
        assert complaint.language == "zh-Hans"

    async def test_multipart_attachments_are_metadata(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        response = await post_mail(
            api_client, intake_headers, (FIXTURES / "multipart_attachments.eml").read_bytes()
        )

        complaint = await load(sessionmaker, response.json()["id"])
        kinds = sorted(a["content_type"] for a in complaint.attachments)
        assert kinds == ["application/pdf", "image/png"]
        assert all(a["size"] > 0 for a in complaint.attachments)

    async def test_html_only_mail_becomes_text(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        response = await post_mail(api_client, intake_headers, (FIXTURES / "html_only.eml").read_bytes())

        complaint = await load(sessionmaker, response.json()["id"])
        assert complaint.body.strip()
        assert "<" not in complaint.body

    async def test_reply_is_threaded_onto_its_complaint(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        original = await post_mail(api_client, intake_headers, (FIXTURES / "gb2312_qp.eml").read_bytes())
        reply = await post_mail(api_client, intake_headers, (FIXTURES / "reply.eml").read_bytes())
        redelivered = await post_mail(api_client, intake_headers, (FIXTURES / "reply.eml").read_bytes())

        assert reply.status_code == 200
        assert reply.json()["outcome"] == "threaded"
        assert reply.json()["id"] == original.json()["id"]
        assert redelivered.json()["outcome"] == "duplicate"
        async with sessionmaker() as session:
            messages = (await session.scalars(select(Message).order_by(Message.id))).all()
            events = (await session.scalars(select(Event).order_by(Event.id))).all()
            complaints = (await session.scalars(select(Complaint))).all()
        assert len(complaints) == 1
        assert [m.external_id for m in messages] == ["gb-1@mail.example.cn", "reply-1@mail.example.cn"]
        assert "原始邮件" not in messages[1].body
        assert [e.type for e in events] == ["complaint.received", "message.received"]

    async def test_auto_reply_is_recorded_but_never_answered(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        raw = (
            b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>\r\n"
            b"To: support@shop.example.com\r\n"
            b"Subject: Undeliverable: Re: your complaint\r\nMessage-ID: <bounce-1@mx.example.com>\r\n"
            b"Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            b"Delivery has failed to these recipients.\r\n"
        )
        response = await post_mail(api_client, intake_headers, raw)

        complaint = await load(sessionmaker, response.json()["id"])
        assert {"auto_generated", "no_auto_reply"} <= set(complaint.flags)

    async def test_malformed_mime_and_wrong_type_are_4xx(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        garbage = await post_mail(api_client, intake_headers, b"\x00\xff\xfe this is not a mail at all")
        empty = await post_mail(api_client, intake_headers, b"")
        as_json = await api_client.post(URL, json={"raw": "mail"}, headers=intake_headers)

        assert_problem(garbage, 422, "malformed-payload")
        assert_problem(empty, 422, "malformed-payload")
        assert_problem(as_json, 415, "unsupported-media-type")


class TestReplyToOurMessage:
    async def test_a_reply_to_a_message_we_sent_threads_onto_its_complaint(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        from complaint_service.outbound import service as outbound_service

        original = await post_mail(api_client, intake_headers, (FIXTURES / "html_only.eml").read_bytes())
        async with sessionmaker() as session, session.begin():
            complaint = await session.get(Complaint, uuid.UUID(original.json()["id"]))
            assert complaint is not None
            sent = await outbound_service.send_to_customer(
                session,
                complaint=complaint,
                body="您好，已为您处理。",
                kind="reply",
                author="agent",
                automatic=False,
            )
            assert sent is not None
            assert sent.external_id
        reply = (
            f"From: customer@example.com\r\nTo: support@shop.example.com\r\nSubject: Re: 回复\r\n"
            f"Message-ID: <cust-reply-9@example.com>\r\nIn-Reply-To: <{sent.external_id}>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n还是没有解决，请再看看。\r\n"
        ).encode()

        response = await post_mail(api_client, intake_headers, reply)

        assert response.status_code == 200
        assert response.json()["outcome"] == "threaded"
        assert response.json()["id"] == original.json()["id"]
