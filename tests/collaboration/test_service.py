"""The service at fixed times: business-hour deadlines, and how the complaint's lifecycle treats requests."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.auth.scopes import Principal, Role
from complaint_service.collaboration import service
from complaint_service.complaints import lifecycle
from complaint_service.models import CollaborationRequest, Complaint, SlaAction, SlaClock
from complaint_service.models.enums import ComplaintStatus
from complaint_service.settings import CollaborationConfig, Settings
from complaint_service.sla import service as sla_service
from tests.collaboration.conftest import QUESTION, MakeComplaint, events_of

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_1730 = datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
ASKER = Principal(
    key_id="t",
    name="lin",
    scopes=frozenset({"complaints:read"}),
    user_id=None,
    role=Role.agent,
    departments=frozenset({"customer_service"}),
)


def sh(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


async def ask_at(
    sessionmaker: Sessions,
    complaint_id: uuid.UUID,
    *,
    now: datetime = FRIDAY_1730,
    settings: Settings | None = None,
    within_minutes: int | None = None,
    due_at: datetime | None = None,
) -> CollaborationRequest:
    async with sessionmaker() as session, session.begin():
        if settings is not None:
            session.info["settings"] = settings
        complaint = await session.get(Complaint, complaint_id, with_for_update=True)
        assert complaint is not None
        return await service.request_help(
            session,
            ASKER,
            complaint,
            to_department="tech",
            question=QUESTION,
            within_minutes=within_minutes,
            due_at=due_at,
            now=now,
        )


async def clock_and_actions(
    sessionmaker: Sessions, request: CollaborationRequest
) -> tuple[SlaClock, list[SlaAction]]:
    async with sessionmaker() as session:
        clock = await session.get(SlaClock, request.clock_id)
        assert clock is not None
        actions = (await session.scalars(select(SlaAction).where(SlaAction.clock_id == clock.id))).all()
        return clock, list(actions)


class TestDeadlines:
    async def test_tech_answers_within_two_of_its_working_hours(
        self, make_complaint: MakeComplaint, sessionmaker: Sessions
    ) -> None:
        request = await ask_at(sessionmaker, await make_complaint())

        # Friday 17:30-18:00 is half an hour; the other 1.5 h run from Monday 09:00.
        assert request.due_at == sh(23, 10, 30)
        clock, actions = await clock_and_actions(sessionmaker, request)
        due = {a.label: a.due_at for a in actions}
        # At 75 % and 90 % of the two hours: 30 and 12 minutes before the deadline.
        assert due == {"75%": sh(23, 10), "90%": sh(23, 10, 18), "breach": sh(23, 10, 30)}
        assert clock.calendar["around_the_clock"] is False

    async def test_around_the_clock_for_a_p1_complaint_or_a_department_configured_so(
        self, make_complaint: MakeComplaint, sessionmaker: Sessions, settings: Settings
    ) -> None:
        p1 = await ask_at(sessionmaker, await make_complaint(urgency="P1"))
        config = CollaborationConfig(answer_minutes={"tech": 60}, around_the_clock=["tech"])
        configured = await ask_at(
            sessionmaker,
            await make_complaint(),
            settings=settings.model_copy(update={"collaboration": config}),
        )

        assert p1.due_at == sh(20, 19, 30)
        assert configured.due_at == sh(20, 18, 30)

    async def test_explicit_minutes_and_due_time(
        self, make_complaint: MakeComplaint, sessionmaker: Sessions
    ) -> None:
        complaint_id = await make_complaint()
        minutes = await ask_at(sessionmaker, complaint_id, within_minutes=45)
        # Due at 08:00 Monday, before tech opens: kept as asked; its business time is Friday's half hour.
        exact = await ask_at(sessionmaker, complaint_id, due_at=sh(23, 8))

        assert minutes.due_at == sh(23, 9, 15)
        assert exact.due_at == sh(23, 8)
        clock, actions = await clock_and_actions(sessionmaker, exact)
        assert clock.target_seconds == 30 * 60
        assert {a.label: a.due_at for a in actions} == {
            "75%": sh(20, 17, 52, 30),
            "90%": sh(20, 17, 57),
            "breach": sh(23, 8),
        }


class TestComplaintLifecycle:
    async def test_waiting_on_the_customer_pauses_the_complaint_not_the_request(
        self, make_complaint: MakeComplaint, sessionmaker: Sessions
    ) -> None:
        complaint_id = await make_complaint()
        request = await ask_at(sessionmaker, complaint_id)
        async with sessionmaker() as session, session.begin():
            complaint = await session.get(Complaint, complaint_id, with_for_update=True)
            assert complaint is not None
            policy = await sla_service.policy_for(session, complaint=complaint, tier="standard")
            await sla_service.start_initial_many(
                session, items=[(complaint, policy)], now=FRIDAY_1730, actor="t"
            )
            await lifecycle.transition(
                session, complaint, ComplaintStatus.pending_customer, actor="t", now=sh(20, 17, 45)
            )

        async with sessionmaker() as session:
            states = dict((await session.execute(select(SlaClock.kind, SlaClock.state))).all())
        assert states == {
            "first_response": "paused",
            "resolution": "paused",
            "periodic_update": "paused",
            "collaboration": "running",
        }
        clock, actions = await clock_and_actions(sessionmaker, request)
        assert clock.due_at == request.due_at
        assert all(a.due_at is not None for a in actions)

    async def test_closing_the_complaint_withdraws_its_open_requests(
        self, make_complaint: MakeComplaint, sessionmaker: Sessions
    ) -> None:
        complaint_id = await make_complaint()
        answered = await ask_at(sessionmaker, complaint_id)
        still_open = await ask_at(sessionmaker, complaint_id)
        async with sessionmaker() as session, session.begin():
            request = await session.get(CollaborationRequest, answered.id, with_for_update=True)
            assert request is not None
            await service.answer(session, ASKER, request, text="已修复")
        async with sessionmaker() as session, session.begin():
            complaint = await session.get(Complaint, complaint_id, with_for_update=True)
            assert complaint is not None
            await lifecycle.close(
                session, complaint, actor="user:closer", reason="abuse", administrative=True
            )

        async with sessionmaker() as session:
            statuses = {
                r.id: (r.status, r.reason) for r in await session.scalars(select(CollaborationRequest))
            }
        assert statuses == {
            answered.id: ("answered", None),
            still_open.id: ("cancelled", service.CLOSED_WITH_COMPLAINT),
        }
        clock, actions = await clock_and_actions(sessionmaker, still_open)
        assert clock.state == "cancelled"
        assert all(a.cancelled_at is not None for a in actions)
        cancelled = [
            e for e in await events_of(sessionmaker, complaint_id) if e.type == "collaboration.cancelled"
        ]
        assert [(e.actor, e.data["request_id"]) for e in cancelled] == [("user:closer", str(still_open.id))]


class TestConfig:
    def test_targets_must_be_positive_and_unlisted_departments_get_the_default(self) -> None:
        config = CollaborationConfig(answer_minutes={"tech": 60})

        assert (config.answer_minutes_for("tech"), config.answer_minutes_for("finance")) == (60, 540)
        with pytest.raises(ValidationError, match="tech"):
            CollaborationConfig(answer_minutes={"tech": 0})
