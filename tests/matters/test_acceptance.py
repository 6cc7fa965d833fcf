"""One customer, one matter, three channels, one ticket: through the API and real arq workers.

Adapters pass the identities they know. WeChat knows the openid and, as real official-account forms
do, the phone and e-mail the customer gave; the hotline knows the caller's number; e-mail knows the
sender. Intake resolves all of them to one customer, and triage joins the matter's open ticket.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import httpx
import pytest
from arq.connections import ArqRedis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core.clock import utcnow
from complaint_service.models import Complaint
from complaint_service.settings import Settings
from tests.fixtures.builders import post_canonical
from tests.fixtures.people import MakePerson
from tests.fixtures.worker import run_until

ORDER = "LG202611210127"
OPENID = "oWx_li_lei_001"
MAIL = "li.lei@mail.example.cn"


@dataclass(frozen=True)
class Story:
    wechat: str
    call: str
    mail_subject: str
    mail: str
    other_matter: str


STORIES = {
    "zh-Hans": Story(
        wechat=f"我在商城买的空气炸锅，订单{ORDER}，付款三天了还没发货，客服也一直不回复，请尽快给我发货。",
        call="你好，我上周买的空气炸锅，付了款三天了一直没发货，客服也不回复，能帮我催一下吗？",
        mail_subject="空气炸锅还没发货",
        mail=f"你好，我的订单 {ORDER} 还是没有发货，微信和电话都反映过了，请尽快处理。",
        other_matter="我的账号昨天被人盗了，有人用我的账号下单，请帮我冻结账号。",
    ),
    "zh-Hant": Story(
        wechat=f"我在商城買的空氣炸鍋，訂單{ORDER}，付款三天了還沒發貨，客服也一直不回覆，請盡快發貨。",
        call="你好，我上週買的空氣炸鍋，付了款三天了一直沒發貨，客服也不回覆，能幫我催一下嗎？",
        mail_subject="空氣炸鍋還沒發貨",
        mail=f"你好，我的訂單 {ORDER} 還是沒有發貨，微信和電話都反映過了，請盡快處理。",
        other_matter="我的帳號昨天被盜了，有人用我的帳號下單，請幫我凍結帳號。",
    ),
    "en": Story(
        wechat=f"I bought an air fryer (order {ORDER}) and paid three days ago, but it still has not "
        "shipped. Customer service does not answer.",
        call="Hi, I bought an air fryer last week and paid three days ago, but it still has not shipped "
        "and customer service does not answer.",
        mail_subject="Air fryer still not shipped",
        mail=f"Hello, order {ORDER} has still not shipped. I already complained on WeChat and by phone.",
        other_matter="Someone logged into my account yesterday and placed orders I did not make. "
        "Please freeze my account.",
    ),
}


def wechat(story: Story, *, text: str | None = None, with_contacts: bool = True) -> dict[str, object]:
    customer: dict[str, str] = {"wechat_openid": OPENID}
    if with_contacts:
        customer |= {"name": "李雷", "phone": "13912345678", "email": MAIL}
    return {
        "channel": "wechat",
        "external_id": f"wx-{uuid.uuid4().hex[:12]}",
        "body": text or story.wechat,
        "order_id": ORDER if text is None else None,
        "app_version": None,
        "customer": customer,
    }


def call(story: Story) -> dict[str, object]:
    return {
        "call_id": f"CC-{uuid.uuid4().hex[:10]}",
        "caller_number": "+86 139 1234 5678",
        "started_at": utcnow().isoformat(),
        "turns": [
            {"speaker": "agent", "text": "您好，请问有什么可以帮您？"},
            {"speaker": "caller", "text": story.call},
        ],
    }


def mail(story: Story) -> bytes:
    message = EmailMessage()
    message["From"] = f"Li Lei <{MAIL}>"
    message["To"] = "service@shop.example.com"
    message["Subject"] = story.mail_subject
    message["Message-ID"] = make_msgid(domain="mail.example.cn")
    message["Date"] = format_datetime(utcnow())
    message.set_content(story.mail)
    return message.as_bytes()


async def _complaint(sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str) -> Complaint:
    async with sessionmaker() as session:
        complaint = await session.get(Complaint, uuid.UUID(complaint_id))
    assert complaint is not None
    return complaint


def triaged(
    sessionmaker: async_sessionmaker[AsyncSession], complaint_id: str
) -> Callable[[], Awaitable[bool]]:
    async def done() -> bool:
        return (await _complaint(sessionmaker, complaint_id)).triaged_at is not None

    return done


class TestOneTicketPerMatter:
    @pytest.mark.parametrize("language", list(STORIES))
    async def test_wechat_then_phone_then_email_about_one_order_is_one_ticket(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        reader_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
        language: str,
    ) -> None:
        story = STORIES[language]
        ticket = (await api_client.post("/v1/complaints", json=wechat(story), headers=intake_headers)).json()
        await run_until(settings, triaged(sessionmaker, ticket["id"]))

        phoned = await api_client.post(
            "/v1/channels/phone_transcript/complaints", json=call(story), headers=intake_headers
        )
        assert phoned.status_code == 201, phoned.text
        await run_until(settings, triaged(sessionmaker, phoned.json()["id"]))
        mailed = await api_client.post(
            "/v1/channels/email/complaints",
            content=mail(story),
            headers={**intake_headers, "Content-Type": "message/rfc822"},
        )
        assert mailed.status_code == 201, mailed.text
        await run_until(settings, triaged(sessionmaker, mailed.json()["id"]))

        for receipt in (phoned.json(), mailed.json()):
            # The adapter follows the id it was given and finds the live ticket.
            got = (await api_client.get(receipt["link"], headers=reader_headers)).json()
            assert (got["merged_into_id"], got["status"]) == (ticket["id"], "closed")
            assert got["customer_id"] == str((await _complaint(sessionmaker, ticket["id"])).customer_id)
        thread = (await api_client.get(f"{ticket['link']}/messages", headers=reader_headers)).json()["items"]
        assert [m["channel"] for m in thread if m["direction"] == "inbound"] == [
            "wechat",
            "phone_transcript",
            "email",
        ]
        live = await _complaint(sessionmaker, ticket["id"])
        assert live.merged_into_id is None
        assert live.status in ("triaged", "assigned")
        timeline = (await api_client.get(f"{ticket['link']}/timeline", headers=reader_headers)).json()[
            "items"
        ]
        merged_in = [e["data"] for e in timeline if e["type"] == "complaint.merged_in"]
        assert [(e["source_id"], e["reason"]) for e in merged_in] == [
            (phoned.json()["id"], "similar_text"),
            (mailed.json()["id"], "order_id"),
        ]

        # The same customer (known by the openid alone now) about something else: a second ticket.
        other = await post_canonical(
            api_client, intake_headers, **wechat(story, text=story.other_matter, with_contacts=False)
        )
        await run_until(settings, triaged(sessionmaker, other.json()["id"]))
        async with sessionmaker() as session:
            mine = (await session.scalars(select(Complaint).order_by(Complaint.id))).all()
        assert len({c.customer_id for c in mine}) == 1
        assert [str(c.id) for c in mine if c.merged_into_id is None] == [ticket["id"], other.json()["id"]]

    async def test_three_channels_at_once_still_end_in_one_ticket(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        story = STORIES["zh-Hans"]
        ids = [
            (await api_client.post("/v1/complaints", json=wechat(story), headers=intake_headers)).json()[
                "id"
            ],
            (
                await api_client.post(
                    "/v1/channels/phone_transcript/complaints", json=call(story), headers=intake_headers
                )
            ).json()["id"],
            (
                await api_client.post(
                    "/v1/channels/email/complaints",
                    content=mail(story),
                    headers={**intake_headers, "Content-Type": "message/rfc822"},
                )
            ).json()["id"],
        ]

        async def all_triaged() -> bool:
            return all([await triaged(sessionmaker, i)() for i in ids])

        await run_until(settings, all_triaged, workers=3)

        complaints = [await _complaint(sessionmaker, i) for i in ids]
        assert [c.merged_into_id for c in complaints] == [None, uuid.UUID(ids[0]), uuid.UUID(ids[0])]


class TestRepeatComplaint:
    @pytest.mark.parametrize("language", list(STORIES))
    async def test_a_repeat_within_30_days_is_linked_and_raised(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        make_person: MakePerson,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
        language: str,
    ) -> None:
        story = STORIES[language]
        supervisor = await make_person("supervisor", [])
        first = (await api_client.post("/v1/complaints", json=wechat(story), headers=intake_headers)).json()
        await run_until(settings, triaged(sessionmaker, first["id"]))
        resolved = await api_client.post(
            f"{first['link']}/resolve",
            json={"code": "solved", "summary": "已催仓库发货"},
            headers=supervisor.headers,
        )
        assert resolved.status_code == 200, resolved.text
        before = await _complaint(sessionmaker, first["id"])

        again = await api_client.post(
            "/v1/channels/phone_transcript/complaints", json=call(story), headers=intake_headers
        )
        await run_until(settings, triaged(sessionmaker, again.json()["id"]))

        got = (await api_client.get(again.json()["link"], headers=supervisor.headers)).json()
        assert got["repeat_of_id"] == first["id"]
        assert got["merged_into_id"] is None
        assert "repeat" in got["flags"]
        assert got["department"] == before.department
        order = ["P1", "P2", "P3", "P4"]
        assert order.index(got["urgency"]) == max(order.index(before.urgency or "P3") - 1, 0)
        links = (await api_client.get(f"{again.json()['link']}/links", headers=supervisor.headers)).json()
        assert [(i["kind"], i["direction"], i["other"]["id"]) for i in links["items"]] == [
            ("repeat_of", "outgoing", first["id"])
        ]
