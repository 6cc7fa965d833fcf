"""Every JSON channel endpoint takes its documented example and maps it into one complaint."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.intake.channels.registry import JSON_PAYLOADS
from complaint_service.models import Complaint, CustomerIdentity
from complaint_service.models.enums import Channel
from tests.fixtures.app import MakeKey
from tests.fixtures.builders import assert_problem


def example(channel: Channel) -> dict[str, Any]:
    schema = JSON_PAYLOADS[channel].model_json_schema()
    return dict(schema["examples"][0])


class TestJsonChannelEndpoints:
    @pytest.mark.parametrize("channel", list(JSON_PAYLOADS), ids=lambda c: c.value)
    async def test_documented_example_creates_a_complaint_once(
        self,
        api_client: httpx.AsyncClient,
        make_key: MakeKey,
        sessionmaker: async_sessionmaker[AsyncSession],
        channel: Channel,
    ) -> None:
        headers = await make_key(f"intake:{channel.value}", name=f"{channel.value}-adapter")
        url = f"/v1/channels/{channel.value}/complaints"
        first = await api_client.post(url, json=example(channel), headers=headers)
        again = await api_client.post(url, json=example(channel), headers=headers)

        assert first.status_code == 201, first.text
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        async with sessionmaker() as session:
            complaint = await session.scalar(select(Complaint))
            identities = (await session.scalars(select(CustomerIdentity))).all()
        assert complaint is not None
        assert complaint.channel == channel.value
        assert complaint.external_id
        assert complaint.body or complaint.attachments
        assert all(i.value == i.value.strip() for i in identities)
        assert all(i.value.startswith("+") for i in identities if i.kind == "phone")

    async def test_channel_key_cannot_post_to_another_channel(
        self, api_client: httpx.AsyncClient, make_key: MakeKey
    ) -> None:
        headers = await make_key("intake:sms")
        response = await api_client.post(
            "/v1/channels/weibo/complaints", json=example(Channel.weibo), headers=headers
        )
        assert_problem(response, 403, "forbidden")

    async def test_invalid_payload_lists_field_errors(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        payload = example(Channel.web_form)
        payload.pop("phone", None)
        payload.pop("email", None)
        payload["amount"] = "lots"
        response = await api_client.post(
            "/v1/channels/web_form/complaints", json=payload, headers=intake_headers
        )
        problem = assert_problem(response, 422, "validation-error")
        assert any("amount" in e["loc"] for e in problem["errors"])

    async def test_deeply_nested_json_is_refused_cleanly(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str]
    ) -> None:
        nested = "[" * 100_000 + "]" * 100_000
        response = await api_client.post(
            "/v1/channels/sms/complaints",
            content=nested,
            headers={**intake_headers, "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"].startswith("application/problem+json")
