"""SLA clocks against the real database: start, pause, resume, recompute, replies, resolution, timers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from arq.connections import ArqRedis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.core import after_commit
from complaint_service.core.clock import utcnow
from complaint_service.models import Complaint, Event, SlaAction, SlaClock
from complaint_service.sla import service as sla_service
from complaint_service.sla.calendar import BusinessCalendar
from complaint_service.sla.tasks import escalate, fire_due, reconcile
from complaint_service.sla.timers import bucket_of
from tests.fixtures.builders import post_canonical
from tests.fixtures.seed import add_agents

SHANGHAI = ZoneInfo("Asia/Shanghai")
Sessions = async_sessionmaker[AsyncSession]
Clocks = dict[tuple[str, int], SlaClock]


# The scenarios are written for late November 2026 (no statutory holiday or make-up day near it) and
# moved forward by whole 52-week years until they lie ahead of the real clock: timers due in the past
# would be fired or enqueued at once, which some tests assert does not happen.
_YEARS_PAST = max(0, (utcnow() - datetime(2026, 11, 1, tzinfo=SHANGHAI)).days // 364)
_WEEKS_AHEAD = timedelta(weeks=52 * (1 + _YEARS_PAST))


def sh(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time of the 2026 scenario, on the same weekday in the year it is moved to."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI) + _WEEKS_AHEAD


FRIDAY_1730 = sh(2026, 11, 20, 17, 30)
BUSINESS = BusinessCalendar.from_spec(
    {"timezone": "Asia/Shanghai", "hours": {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}
)
# Friday 17:30 + 24 business hours (9 h a day): Fri 0.5 + Mon 9 + Tue 9 = 18.5, Wed 09:00 + 5.5 h.
P3_FIRST_RESPONSE_DUE = sh(2026, 11, 25, 14, 30)
# + 72 business hours: Fri 0.5, Mon 23 – Tue Dec 1 (7 days) 63 = 63.5, Wed Dec 2 09:00 + 8.5 h.
P3_RESOLUTION_DUE = sh(2026, 12, 2, 17, 30)
# + 48 business hours: Fri 0.5, Mon 23 – Fri 27 (5 days) 45 = 45.5, Mon Nov 30 09:00 + 2.5 h.
P3_UPDATE_DUE = sh(2026, 11, 30, 11, 30)


async def create(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> uuid.UUID:
    response = await post_canonical(client, headers, **overrides)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


@asynccontextmanager
async def locked(
    sessionmaker: Sessions, complaint_id: uuid.UUID, redis: ArqRedis | None = None
) -> AsyncIterator[tuple[AsyncSession, Complaint]]:
    """One committed transaction around the complaint; with `redis`, timers are enqueued after commit."""
    async with sessionmaker() as session, session.begin():
        if redis is not None:
            session.info["redis"] = redis
        complaint = await session.get(Complaint, complaint_id, with_for_update=True)
        assert complaint is not None
        yield session, complaint


async def start(
    sessionmaker: Sessions,
    complaint_id: uuid.UUID,
    *,
    now: datetime = FRIDAY_1730,
    urgency: str = "P3",
    category: str = "product_defect",
    department: str | None = None,
) -> None:
    async with locked(sessionmaker, complaint_id) as (session, complaint):
        complaint.urgency, complaint.category, complaint.department = urgency, category, department
        tier = await sla_service.customer_tier(session, complaint)
        policy = await sla_service.policy_for(session, complaint=complaint, tier=tier)
        await sla_service.start_initial_many(session, items=[(complaint, policy)], now=now, actor="test")


async def load(sessionmaker: Sessions, complaint_id: uuid.UUID) -> Complaint:
    async with sessionmaker() as session:
        complaint = await session.get(Complaint, complaint_id)
    assert complaint is not None
    return complaint


async def clocks_of(sessionmaker: Sessions, complaint_id: uuid.UUID) -> Clocks:
    async with sessionmaker() as session:
        rows = await session.scalars(select(SlaClock).where(SlaClock.complaint_id == complaint_id))
        return {(c.kind, c.seq): c for c in rows}


async def actions_of(sessionmaker: Sessions, clock: SlaClock) -> dict[str, SlaAction]:
    async with sessionmaker() as session:
        return {
            a.label: a for a in await session.scalars(select(SlaAction).where(SlaAction.clock_id == clock.id))
        }


async def events_of(sessionmaker: Sessions, complaint_id: uuid.UUID, *types: str) -> list[Event]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Event).where(Event.complaint_id == complaint_id, Event.type.in_(types)).order_by(Event.id)
        )
        return list(rows)


async def set_due(sessionmaker: Sessions, action_id: uuid.UUID, due_at: datetime) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(update(SlaAction).where(SlaAction.id == action_id).values(due_at=due_at))


async def pending_count(sessionmaker: Sessions, complaint_id: uuid.UUID) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(SlaAction)
            .where(
                SlaAction.complaint_id == complaint_id,
                SlaAction.fired_at.is_(None),
                SlaAction.cancelled_at.is_(None),
            )
        )
    return count or 0


async def job_keys(redis: ArqRedis, actions: list[SlaAction]) -> list[bool]:
    await after_commit.drain()
    return [
        a.due_at is not None and bool(await redis.exists(f"arq:job:sla.fire_due:{bucket_of(a.due_at)}"))
        for a in actions
    ]


class TestStartClocks:
    async def test_p3_runs_on_business_hours_with_warnings_breach_and_escalations(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert set(clocks) == {("first_response", 0), ("resolution", 0), ("periodic_update", 0)}
        first, resolution = clocks["first_response", 0], clocks["resolution", 0]
        assert (first.state, first.started_at, first.target_seconds) == ("running", FRIDAY_1730, 24 * 3600)
        assert first.due_at == P3_FIRST_RESPONSE_DUE
        assert resolution.due_at == P3_RESOLUTION_DUE
        assert resolution.target_seconds == 72 * 3600
        assert clocks["periodic_update", 0].due_at == P3_UPDATE_DUE
        complaint = await load(sessionmaker, complaint_id)
        assert complaint.first_response_due_at == P3_FIRST_RESPONSE_DUE
        assert complaint.resolution_due_at == P3_RESOLUTION_DUE

        actions = await actions_of(sessionmaker, first)
        assert {label: (a.kind, a.due_at) for label, a in actions.items()} == {
            # 75 %: 18 business hours after the start (Fri 0.5 + Mon 9 + Tue 8.5).
            "75%": ("warning", sh(2026, 11, 24, 17, 30)),
            # 90 %: 21.6 business hours after the start, i.e. 2 h 24 min before the due time.
            "90%": ("warning", sh(2026, 11, 25, 12, 6)),
            "breach": ("breach", P3_FIRST_RESPONSE_DUE),
            # Escalation levels wait wall-clock minutes (0 / 120 / 480) after the breach.
            "team_lead": ("escalation", P3_FIRST_RESPONSE_DUE),
            "supervisor": ("escalation", sh(2026, 11, 25, 16, 30)),
            "manager": ("escalation", sh(2026, 11, 25, 22, 30)),
        }
        assert [actions[label].spec["level"] for label in ("team_lead", "supervisor", "manager")] == [1, 2, 3]
        resolution_actions = await actions_of(sessionmaker, resolution)
        # 75 % of 72 h is 54 business hours: 18 h (two days) before Wed Dec 2 17:30.
        assert resolution_actions["75%"].due_at == sh(2026, 11, 30, 17, 30)
        assert resolution_actions["manager"].due_at == sh(2026, 12, 3, 1, 30)
        started = await events_of(sessionmaker, complaint_id, "sla.started")
        assert len(started) == 1
        assert started[0].data["around_the_clock"] is False

    async def test_p1_runs_around_the_clock(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        saturday_night = sh(2026, 11, 21, 23, 10)
        await start(sessionmaker, complaint_id, now=saturday_night, urgency="P1")

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert clocks["first_response", 0].due_at == saturday_night + timedelta(hours=2)
        assert clocks["resolution", 0].due_at == saturday_night + timedelta(hours=24)
        assert clocks["first_response", 0].calendar["around_the_clock"] is True
        warning = (await actions_of(sessionmaker, clocks["first_response", 0]))["75%"]
        assert warning.due_at == saturday_night + timedelta(minutes=90)

    async def test_wechat_gets_the_thirty_minute_first_response_override(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(
            api_client,
            intake_headers,
            channel="wechat",
            body="小程序下单后一直显示支付中",
            external_id="wx-msg-001",
        )
        await start(sessionmaker, complaint_id, now=sh(2026, 11, 20, 17, 45))

        clocks = await clocks_of(sessionmaker, complaint_id)
        # 15 minutes on Friday, the other 15 from Monday's opening.
        assert clocks["first_response", 0].due_at == sh(2026, 11, 23, 9, 15)
        assert clocks["resolution", 0].target_seconds == 72 * 3600  # the rest comes from the defaults
        assert len(clocks["first_response", 0].policy_ids) == 2


class TestPause:
    async def test_pause_keeps_the_business_time_left_and_nothing_is_due(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        monday_10 = sh(2026, 11, 23, 10, 0)

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.pause(session, complaint=complaint, now=monday_10)

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert {c.state for c in clocks.values()} == {"paused"}
        assert all(c.due_at is None and c.paused_at == monday_10 for c in clocks.values())
        # Used by Monday 10:00: Fri 0.5 h + Mon 1 h.
        assert clocks["first_response", 0].remaining_seconds == int(22.5 * 3600)
        assert clocks["resolution", 0].remaining_seconds == int(70.5 * 3600)
        assert clocks["periodic_update", 0].remaining_seconds == int(46.5 * 3600)
        for clock in clocks.values():
            assert all(a.due_at is None for a in (await actions_of(sessionmaker, clock)).values())

    async def test_pausing_twice_keeps_the_first_remainder(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        for now in (sh(2026, 11, 23, 10, 0), sh(2026, 11, 24, 15, 0)):
            async with locked(sessionmaker, complaint_id) as (session, complaint):
                await sla_service.pause(session, complaint=complaint, now=now)

        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        assert first.remaining_seconds == int(22.5 * 3600)
        assert first.paused_at == sh(2026, 11, 23, 10, 0)


class TestResume:
    async def test_resume_moves_due_times_by_the_paused_business_time(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        redis: ArqRedis,
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        paused_at, resumed_at = sh(2026, 11, 23, 10, 0), sh(2026, 11, 30, 9, 0)
        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.pause(session, complaint=complaint, now=paused_at)
        async with locked(sessionmaker, complaint_id, redis) as (session, complaint):
            await sla_service.resume(session, complaint=complaint, now=resumed_at)

        clocks = await clocks_of(sessionmaker, complaint_id)
        # Paused Mon 10:00 → next Mon 09:00: 8 + 4 × 9 = 44 business hours, weekend not counted.
        paused = BUSINESS.elapsed(paused_at, resumed_at)
        assert paused == timedelta(hours=44)
        first = clocks["first_response", 0]
        assert first.due_at == sh(2026, 12, 2, 13, 30) == BUSINESS.add(P3_FIRST_RESPONSE_DUE, paused)
        assert clocks["resolution", 0].due_at == BUSINESS.add(P3_RESOLUTION_DUE, paused)
        assert all(
            (c.state, c.paused_at, c.remaining_seconds) == ("running", None, None) for c in clocks.values()
        )
        assert (await load(sessionmaker, complaint_id)).first_response_due_at == first.due_at
        actions = await actions_of(sessionmaker, first)
        assert actions["75%"].due_at == sh(2026, 12, 1, 16, 30)  # 6 business hours before Wed 13:30
        assert actions["manager"].due_at == sh(2026, 12, 2, 21, 30)
        all_actions = [a for c in clocks.values() for a in (await actions_of(sessionmaker, c)).values()]
        assert len(all_actions) == 18
        # Weeks ahead: no job yet. The sweep schedules each quarter-second bucket within its look-ahead.
        assert await job_keys(redis, all_actions) == [False] * 18

    async def test_resume_without_a_pause_changes_nothing(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        redis: ArqRedis,
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        async with locked(sessionmaker, complaint_id, redis) as (session, complaint):
            await sla_service.resume(session, complaint=complaint, now=sh(2026, 11, 30, 9, 0))

        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        assert first.due_at == P3_FIRST_RESPONSE_DUE
        assert await job_keys(redis, list((await actions_of(sessionmaker, first)).values())) == [False] * 6


class TestRecompute:
    async def test_p3_to_p2_moves_first_response_earlier_by_twelve_business_hours(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        before = await clocks_of(sessionmaker, complaint_id)
        fired = (await actions_of(sessionmaker, before["first_response", 0]))["75%"]
        fired_at = sh(2026, 11, 24, 17, 30)
        async with sessionmaker() as session, session.begin():
            await session.execute(update(SlaAction).where(SlaAction.id == fired.id).values(fired_at=fired_at))

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            complaint.urgency = "P2"
            policy = await sla_service.policy_for(session, complaint=complaint, tier="standard")
            await sla_service.recompute(
                session, complaint=complaint, policy=policy, now=sh(2026, 11, 23, 11, 0)
            )

        clocks = await clocks_of(sessionmaker, complaint_id)
        first = clocks["first_response", 0]
        # Wed 14:30 back 12 business hours: 5.5 h to Wed 09:00, 6.5 h more from Tue 18:00.
        assert (
            first.due_at
            == sh(2026, 11, 24, 11, 30)
            == BUSINESS.subtract(P3_FIRST_RESPONSE_DUE, timedelta(hours=12))
        )
        assert first.target_seconds == 12 * 3600
        assert (await load(sessionmaker, complaint_id)).first_response_due_at == first.due_at
        assert clocks["resolution", 0].due_at == P3_RESOLUTION_DUE  # P2 and P3 both resolve in 72 h
        assert clocks["periodic_update", 0].due_at == sh(2026, 11, 25, 14, 30)  # 48 h → 24 h
        actions = await actions_of(sessionmaker, first)
        assert (actions["75%"].due_at, actions["75%"].fired_at) == (fired.due_at, fired_at)
        assert actions["90%"].due_at == sh(2026, 11, 24, 10, 18)  # 10 % of 12 h = 72 minutes before
        assert actions["breach"].due_at == first.due_at
        assert actions["supervisor"].due_at == sh(2026, 11, 24, 13, 30)

    async def test_raising_a_paused_clock_shortens_the_time_it_has_left(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.pause(session, complaint=complaint, now=sh(2026, 11, 23, 10, 0))
            complaint.urgency = "P2"
            policy = await sla_service.policy_for(session, complaint=complaint, tier="standard")
            await sla_service.recompute(
                session, complaint=complaint, policy=policy, now=sh(2026, 11, 23, 11, 0)
            )

        paused = await clocks_of(sessionmaker, complaint_id)
        first = paused["first_response", 0]
        assert (first.state, first.due_at, first.target_seconds) == ("paused", None, 12 * 3600)
        assert first.remaining_seconds == int(10.5 * 3600)  # 22.5 h left − 12 h
        assert paused["periodic_update", 0].remaining_seconds == int(22.5 * 3600)  # 46.5 h − 24 h
        assert all(a.due_at is None for a in (await actions_of(sessionmaker, first)).values())

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.resume(session, complaint=complaint, now=sh(2026, 11, 30, 9, 0))
        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        assert first.due_at == sh(2026, 12, 1, 10, 30)  # Mon 9 h, then Tue 09:00 + 1.5 h

    async def test_raising_to_p1_switches_the_clock_to_around_the_clock(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id, urgency="P2")
        saturday_10 = sh(2026, 11, 21, 10, 0)

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            complaint.urgency = "P1"
            policy = await sla_service.policy_for(session, complaint=complaint, tier="standard")
            await sla_service.recompute(session, complaint=complaint, policy=policy, now=saturday_10)

        clocks = await clocks_of(sessionmaker, complaint_id)
        first = clocks["first_response", 0]
        # Friday's half hour counts as used; the other 1.5 h of the 2 h run on Saturday.
        assert first.due_at == sh(2026, 11, 21, 11, 30)
        assert first.calendar["around_the_clock"] is True
        assert clocks["resolution", 0].due_at == sh(2026, 11, 22, 9, 30)  # 24 h − 0.5 h used
        assert (await actions_of(sessionmaker, first))["75%"].due_at == sh(2026, 11, 21, 11, 0)
        assert (await load(sessionmaker, complaint_id)).first_response_due_at == first.due_at


class TestReplies:
    async def test_first_public_reply_meets_first_response_and_restarts_updates(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        replied_at, again_at = sh(2026, 11, 23, 10, 0), sh(2026, 11, 24, 10, 0)

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=replied_at)

        clocks = await clocks_of(sessionmaker, complaint_id)
        first = clocks["first_response", 0]
        assert (first.state, first.met_at) == ("met", replied_at)
        assert all(a.cancelled_at == replied_at for a in (await actions_of(sessionmaker, first)).values())
        assert (await load(sessionmaker, complaint_id)).first_response_at == replied_at
        assert clocks["periodic_update", 0].state == "met"
        update_clock = clocks["periodic_update", 1]
        assert (update_clock.state, update_clock.started_at) == ("running", replied_at)
        assert update_clock.due_at == BUSINESS.add(replied_at, timedelta(hours=48))
        assert clocks["resolution", 0].state == "running"

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=again_at)

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert (await load(sessionmaker, complaint_id)).first_response_at == replied_at
        assert [clocks["periodic_update", s].state for s in (0, 1, 2)] == ["met", "met", "running"]

    async def test_customer_messages_start_one_next_response_clock_after_the_first_reply(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_customer_message(session, complaint=complaint, now=sh(2026, 11, 23, 9, 30))
        assert not [k for k in await clocks_of(sessionmaker, complaint_id) if k[0] == "next_response"]

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=sh(2026, 11, 23, 10, 0))
        message_at = sh(2026, 11, 23, 14, 0)
        for now in (message_at, sh(2026, 11, 23, 15, 0)):
            async with locked(sessionmaker, complaint_id) as (session, complaint):
                await sla_service.on_customer_message(session, complaint=complaint, now=now)

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert [k for k in clocks if k[0] == "next_response"] == [("next_response", 0)]
        waiting = clocks["next_response", 0]
        assert (waiting.state, waiting.started_at) == ("running", message_at)
        # 24 business hours: Mon 4 + Tue 9 + Wed 9, then Thu 09:00 + 2 h.
        assert waiting.due_at == sh(2026, 11, 26, 11, 0)
        assert len(await actions_of(sessionmaker, waiting)) == 6

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=sh(2026, 11, 24, 9, 0))
            await sla_service.on_customer_message(session, complaint=complaint, now=sh(2026, 11, 24, 9, 5))
        clocks = await clocks_of(sessionmaker, complaint_id)
        assert (clocks["next_response", 0].state, clocks["next_response", 1].state) == ("met", "running")


class TestResolution:
    async def test_resolving_meets_resolution_and_cancels_everything_else(
        self, api_client: httpx.AsyncClient, intake_headers: dict[str, str], sessionmaker: Sessions
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=sh(2026, 11, 23, 10, 0))
            await sla_service.on_customer_message(session, complaint=complaint, now=sh(2026, 11, 23, 11, 0))
        resolved_at = sh(2026, 11, 24, 16, 0)

        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_resolved(session, complaint=complaint, now=resolved_at)

        clocks = await clocks_of(sessionmaker, complaint_id)
        assert (clocks["resolution", 0].state, clocks["resolution", 0].met_at) == ("met", resolved_at)
        assert clocks["next_response", 0].state == "cancelled"
        assert clocks["periodic_update", 1].state == "cancelled"
        assert clocks["periodic_update", 1].met_at is None
        assert clocks["first_response", 0].state == "met"  # met earlier, left alone
        assert await pending_count(sessionmaker, complaint_id) == 0


class TestFire:
    async def first_response_actions(
        self, client: httpx.AsyncClient, headers: dict[str, str], sessionmaker: Sessions, **start_fields: Any
    ) -> tuple[uuid.UUID, dict[str, SlaAction]]:
        complaint_id = await create(client, headers)
        await start(sessionmaker, complaint_id, **start_fields)
        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        return complaint_id, await actions_of(sessionmaker, first)

    async def test_not_yet_due_action_is_left_alone(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id, actions = await self.first_response_actions(api_client, intake_headers, sessionmaker)
        await set_due(sessionmaker, actions["75%"].id, utcnow() + timedelta(minutes=5))

        assert await fire_due.coroutine(worker_ctx, 0) == 0
        assert await pending_count(sessionmaker, complaint_id) == 18
        assert not await events_of(sessionmaker, complaint_id, "sla.warning")

    async def test_due_warning_fires_once_with_its_lateness(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id, actions = await self.first_response_actions(api_client, intake_headers, sessionmaker)
        await set_due(sessionmaker, actions["75%"].id, utcnow() - timedelta(seconds=2))

        assert await fire_due.coroutine(worker_ctx, 0) == 1
        assert await fire_due.coroutine(worker_ctx, 0) == 0

        (event,) = await events_of(sessionmaker, complaint_id, "sla.warning", "sla.breached")
        assert (event.data["clock"], event.data["label"]) == ("first_response", "75%")
        assert 2000 <= event.data["lateness_ms"] < 60_000
        assert event.actor == "system:sla"
        fired = await actions_of(
            sessionmaker, (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        )
        assert fired["75%"].fired_at is not None
        assert fired["90%"].fired_at is None

    async def test_breach_marks_the_clock_and_concurrent_jobs_fire_it_once(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id, actions = await self.first_response_actions(api_client, intake_headers, sessionmaker)
        await set_due(sessionmaker, actions["breach"].id, utcnow() - timedelta(seconds=1))

        results = await asyncio.gather(*(fire_due.coroutine(worker_ctx, 0) for _ in range(2)))

        assert sorted(results) == [0, 1]
        assert len(await events_of(sessionmaker, complaint_id, "sla.breached")) == 1
        assert (await clocks_of(sessionmaker, complaint_id))["first_response", 0].breached_at is not None

    async def test_cancelled_action_never_fires(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id, actions = await self.first_response_actions(api_client, intake_headers, sessionmaker)
        async with locked(sessionmaker, complaint_id) as (session, complaint):
            await sla_service.on_public_reply(session, complaint=complaint, now=utcnow())
        await set_due(sessionmaker, actions["breach"].id, utcnow() - timedelta(seconds=1))

        assert await fire_due.coroutine(worker_ctx, 0) == 0
        assert not await events_of(sessionmaker, complaint_id, "sla.breached")
        assert await escalate.coroutine(worker_ctx, str(uuid.uuid4())) == "missing"

    async def test_supervisor_level_reassigns_and_raises_urgency(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        (supervisor,) = await add_agents(sessionmaker, "tech", 1, role="supervisor")
        await add_agents(sessionmaker, "tech", 1, role="supervisor", status="away")
        await add_agents(sessionmaker, "finance", 1, role="supervisor")
        complaint_id, actions = await self.first_response_actions(
            api_client, intake_headers, sessionmaker, department="tech"
        )
        await set_due(sessionmaker, actions["supervisor"].id, utcnow() - timedelta(seconds=1))

        assert await escalate.coroutine(worker_ctx, str(actions["supervisor"].id)) == "complaint.escalated"
        assert await escalate.coroutine(worker_ctx, str(actions["supervisor"].id)) == "done"

        complaint = await load(sessionmaker, complaint_id)
        assert (complaint.assignee_id, complaint.urgency, complaint.escalation_level) == (
            supervisor.id,
            "P2",
            2,
        )
        (event,) = await events_of(sessionmaker, complaint_id, "complaint.escalated")
        assert event.data["level"] == 2
        assert event.data["reassigned_to"] == str(supervisor.id)
        assert event.data["urgency"] == {"from": "P3", "to": "P2"}
        assert event.data["notified"] == [str(supervisor.id)]
        assert (
            len(
                await events_of(sessionmaker, complaint_id, "complaint.assigned", "complaint.urgency_changed")
            )
            == 2
        )
        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        assert (first.target_seconds, first.due_at) == (12 * 3600, sh(2026, 11, 24, 11, 30))


class TestReconcile:
    async def test_reenqueues_due_actions_only(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        redis: ArqRedis,
        worker_ctx: dict[str, Any],
    ) -> None:
        complaint_id = await create(api_client, intake_headers)
        await start(sessionmaker, complaint_id)
        first = (await clocks_of(sessionmaker, complaint_id))["first_response", 0]
        actions = await actions_of(sessionmaker, first)
        now = utcnow()
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(SlaAction)
                .where(SlaAction.complaint_id == complaint_id)
                .values(due_at=now + timedelta(days=30))
            )
        # One just overdue, one overdue since a weekend without workers, one inside the look-ahead.
        overdue = {
            "75%": now - timedelta(minutes=1),
            "90%": now - timedelta(days=3),
            "breach": now + timedelta(seconds=3),
        }
        for label, due_at in overdue.items():
            await set_due(sessionmaker, actions[label].id, due_at)
        await after_commit.drain()
        await redis.flushdb()

        assert await reconcile.coroutine(worker_ctx) == 3

        actions = await actions_of(sessionmaker, first)
        due = [actions[label] for label in overdue]
        later = [a for label, a in actions.items() if label not in overdue]
        assert await job_keys(redis, due) == [True] * 3
        assert await job_keys(redis, later) == [False] * 3
