"""The automatic acknowledgement: open and after-hours wording, language, and no reply to robots."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import Complaint, Department, Event, Message
from complaint_service.sla import service as sla_service
from complaint_service.sla.calendar import BusinessCalendar
from complaint_service.triage import acknowledgement
from tests.fixtures.builders import post_canonical

SHANGHAI = ZoneInfo("Asia/Shanghai")
Sessions = async_sessionmaker[AsyncSession]
FRIDAY_10 = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
FRIDAY_20 = datetime(2026, 11, 20, 20, 0, tzinfo=SHANGHAI)


async def received(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    sessionmaker: Sessions,
    *,
    now: datetime,
    **overrides: Any,
) -> tuple[Complaint, BusinessCalendar]:
    """A P3 tech complaint with its clocks started at `now`, and the tech department's calendar."""
    response = await post_canonical(client, headers, **overrides)
    assert response.status_code == 201, response.text
    async with sessionmaker() as session, session.begin():
        complaint = await session.get(Complaint, uuid.UUID(response.json()["id"]))
        assert complaint is not None
        complaint.urgency, complaint.category, complaint.department = "P3", "product_defect", "tech"
        policy = await sla_service.policy_for(session, complaint=complaint, tier="standard")
        await sla_service.start_initial_many(session, items=[(complaint, policy)], now=now, actor="test")
        department = await session.scalar(select(Department).where(Department.key == "tech"))
        assert department is not None
    return complaint, BusinessCalendar.from_spec(department.calendar)


class TestTemplateLanguage:
    @pytest.mark.parametrize(
        ("tag", "expected"),
        [
            ("zh-Hans", "zh-Hans"),
            ("zh-CN", "zh-Hans"),
            ("zh_CN", "zh-Hans"),
            ("zh", "zh-Hans"),
            ("zh-Hans-HK", "zh-Hans"),
            ("zh-Hant", "zh-Hant"),
            ("zh-TW", "zh-Hant"),
            ("zh_HK", "zh-Hant"),
            ("zh-Hant-MO", "zh-Hant"),
            ("en", "en"),
            ("en-US", "en"),
            ("ja-JP", "en"),
            (None, "en"),
        ],
    )
    def test_locale_picks_the_template(self, tag: str | None, expected: str) -> None:
        assert acknowledgement.template_language(tag) == expected


class TestRender:
    async def test_inside_hours_names_the_due_time_in_local_time(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(api_client, intake_headers, sessionmaker, now=FRIDAY_10)

        text, after_hours = acknowledgement.render(complaint, calendar, FRIDAY_10)

        # 24 business hours from Friday 10:00: Fri 8 h + Mon 9 h, then Tue 09:00 + 7 h.
        assert complaint.language == "zh-Hans"
        assert after_hours is False
        assert (
            text
            == f"您好，您的投诉已收到（编号 {complaint.reference}）。我们将在 2026-11-24 16:00 前给您答复。"
        )

    async def test_friday_evening_says_work_starts_monday_morning(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(api_client, intake_headers, sessionmaker, now=FRIDAY_20)

        text, after_hours = acknowledgement.render(complaint, calendar, FRIDAY_20)

        # The clock starts Monday 09:00; 24 business hours later is Wednesday 15:00.
        assert after_hours is True
        assert text == (
            f"您好，您的投诉已收到（编号 {complaint.reference}）。现在是非工作时间，"
            "我们将于 2026-11-23 09:00 开始处理，并在 2026-11-25 15:00 前给您答复。"
        )

    async def test_traditional_chinese_customer_gets_traditional_wording(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(
            api_client,
            intake_headers,
            sessionmaker,
            now=FRIDAY_20,
            language="zh-TW",
            subject="更新後閃退",
            body="更新到 5.2.1 之後一打開訂單頁就閃退，請盡快處理。",
        )

        text, after_hours = acknowledgement.render(complaint, calendar, FRIDAY_20)

        assert after_hours is True
        assert text == (
            f"您好，您的投訴已收到（編號 {complaint.reference}）。現在是非工作時間，"
            "我們將於 2026-11-23 09:00 開始處理，並在 2026-11-25 15:00 前給您答覆。"
        )

    async def test_english_customer_gets_english_wording(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(
            api_client,
            intake_headers,
            sessionmaker,
            now=FRIDAY_10,
            language="en-US",
            subject="App crashes",
            body="Since updating to 5.2.1 the app crashes whenever I open my orders.",
        )

        text, after_hours = acknowledgement.render(complaint, calendar, FRIDAY_10)

        assert after_hours is False
        assert text == (
            f"We have received your complaint (reference {complaint.reference}). "
            "You will hear from us by 2026-11-24 16:00."
        )

    async def test_simplified_locale_from_the_app_is_not_answered_in_english(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(
            api_client, intake_headers, sessionmaker, now=FRIDAY_10, language="zh-CN"
        )

        text, _ = acknowledgement.render(complaint, calendar, FRIDAY_10)

        assert text.startswith("您好，您的投诉已收到")
        assert "2026-11-24 16:00" in text


class TestSend:
    async def messages(
        self, sessionmaker: Sessions, complaint_id: uuid.UUID
    ) -> tuple[list[Message], list[Event]]:
        async with sessionmaker() as session:
            sent = await session.scalars(
                select(Message).where(Message.complaint_id == complaint_id, Message.direction == "outbound")
            )
            events = await session.scalars(
                select(Event).where(Event.complaint_id == complaint_id, Event.type == "message.sent")
            )
            return list(sent), list(events)

    async def send(self, sessionmaker: Sessions, complaint_id: uuid.UUID, *, flags: list[str]) -> None:
        async with sessionmaker() as session, session.begin():
            complaint = await session.get(Complaint, complaint_id, with_for_update=True)
            department = await session.scalar(select(Department).where(Department.key == "tech"))
            assert complaint is not None
            assert department is not None
            complaint.flags = flags
            await acknowledgement.send_many(session, items=[(complaint, department)], now=FRIDAY_20)

    async def test_after_hours_acknowledgement_goes_out_on_the_complaints_channel(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, calendar = await received(api_client, intake_headers, sessionmaker, now=FRIDAY_20)

        await self.send(sessionmaker, complaint.id, flags=[])

        (message,), (event,) = await self.messages(sessionmaker, complaint.id)
        assert (message.channel, message.author) == ("app_feedback", "system")
        assert message.body == acknowledgement.render(complaint, calendar, FRIDAY_20)[0]
        assert event.data["kind"] == "after_hours_acknowledgement"
        assert event.data["automatic"] is True

    async def test_no_auto_reply_complaint_gets_no_message(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint, _ = await received(
            api_client,
            intake_headers,
            sessionmaker,
            now=FRIDAY_20,
            channel="email",
            subject="Automatic reply: 关于您的投诉",
            body="我正在休假，11 月 30 日返回。",
        )

        await self.send(sessionmaker, complaint.id, flags=["auto_generated", "no_auto_reply"])

        assert await self.messages(sessionmaker, complaint.id) == ([], [])
