"""Business-time durations: stored by the first answer and the resolution, filled by the sweep."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.analytics import durations
from complaint_service.analytics.tasks import fill_durations
from complaint_service.complaints import lifecycle
from complaint_service.models import Complaint, SlaClock
from complaint_service.sla import service as sla_service
from tests.analytics.dataset import ALWAYS, BUSINESS, at

H = 3600


def _complaint(**fields: object) -> Complaint:
    return Complaint(
        id=uuid.uuid4(),
        reference=f"D-{uuid.uuid4().hex[:8]}",
        channel="email",
        body="退款一直没有到账",
        status="in_progress",
        urgency="P3",
        department="finance",
        flags=["no_auto_reply"],  # no survey goes out: this test is about durations
        **fields,
    )


def _clock(complaint: Complaint, kind: str, spec: dict[str, object], seq: int = 0) -> SlaClock:
    return SlaClock(
        complaint_id=complaint.id,
        kind=kind,
        seq=seq,
        state="running",
        target_seconds=24 * H,
        calendar=spec,
        policy_ids=[],
        started_at=complaint.received_at,
        due_at=complaint.received_at + timedelta(days=3),
    )


class TestBusinessSeconds:
    def test_a_weekend_and_the_night_do_not_count(self) -> None:
        assert durations.business_seconds(BUSINESS, at(14, 17), at(17, 10)) == 2 * H
        assert durations.business_seconds(ALWAYS, at(14, 17), at(17, 10)) == 65 * H

    def test_without_a_calendar_the_default_business_hours_apply(self) -> None:
        assert durations.business_seconds(None, at(15, 10), at(17, 14)) == 5 * H

    def test_an_end_before_the_start_is_zero(self) -> None:
        assert durations.business_seconds(BUSINESS, at(17, 10), at(14, 17)) == 0


class TestHooks:
    async def test_first_answer_and_resolution_store_their_business_time(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessionmaker() as session, session.begin():
            complaint = _complaint(received_at=at(14, 17))
            session.add(complaint)
            await session.flush()
            session.add_all([_clock(complaint, k, BUSINESS) for k in ("first_response", "resolution")])
            await session.flush()

            await sla_service.on_public_reply(session, complaint=complaint, now=at(17, 10))
            await sla_service.on_public_reply(session, complaint=complaint, now=at(17, 16))  # not the first
            await lifecycle.resolve(
                session, complaint, code="solved", summary="refunded", actor="user:test", now=at(18, 15)
            )

        assert complaint.first_response_business_seconds == 2 * H
        assert complaint.resolution_business_seconds == 16 * H  # Fri 1 h, Mon 9 h, Tue 6 h

    async def test_a_reopened_complaint_is_timed_on_its_latest_resolution(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessionmaker() as session, session.begin():
            complaint = _complaint(received_at=at(14, 17))
            session.add(complaint)
            await session.flush()
            session.add(_clock(complaint, "resolution", BUSINESS))
            await session.flush()
            await lifecycle.resolve(session, complaint, code="solved", summary="s", actor="a", now=at(17, 10))
            first = complaint.resolution_business_seconds

            await lifecycle.reopen(session, complaint, actor="a", reason="not fixed", now=at(17, 11))
            reopened = complaint.resolution_business_seconds
            await lifecycle.resolve(session, complaint, code="solved", summary="s", actor="a", now=at(18, 9))

        assert (first, reopened, complaint.resolution_business_seconds) == (2 * H, None, 10 * H)


class TestBackfill:
    async def test_fills_missing_durations_on_each_complaints_calendar_without_a_new_version(
        self, sessionmaker: async_sessionmaker[AsyncSession], worker_ctx: dict[str, object]
    ) -> None:
        async with sessionmaker() as session, session.begin():
            friday, monday = at(14, 17), at(17, 10)
            business = _complaint(received_at=friday, first_response_at=monday, resolved_at=at(18, 15))
            p1 = _complaint(received_at=friday, first_response_at=monday)
            no_clock = _complaint(received_at=at(15, 10), first_response_at=at(17, 14))
            kept = _complaint(received_at=friday, first_response_at=monday, first_response_business_seconds=7)
            open_one = _complaint(received_at=friday)
            session.add_all([business, p1, no_clock, kept, open_one])
            await session.flush()
            session.add_all(
                [
                    _clock(business, "first_response", BUSINESS),
                    _clock(business, "resolution", ALWAYS),  # an older clock on another calendar…
                    _clock(business, "resolution", BUSINESS, seq=1),  # …the latest one decides
                    _clock(p1, "first_response", ALWAYS),
                ]
            )

        filled = await fill_durations.coroutine(worker_ctx)
        again = await fill_durations.coroutine(worker_ctx)

        async with sessionmaker() as session:
            rows = {
                c.id: (c.first_response_business_seconds, c.resolution_business_seconds, c.version)
                for c in await session.scalars(select(Complaint))
            }
        assert (filled, again) == (3, 0)
        assert rows[business.id] == (2 * H, 16 * H, 1)
        assert rows[p1.id] == (65 * H, None, 1)
        assert rows[no_clock.id] == (5 * H, None, 1)
        assert rows[kept.id] == (7, None, 1)
        assert rows[open_one.id] == (None, None, 1)
