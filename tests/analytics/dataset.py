"""A small set of complaints whose every figure was worked out by hand (see the comments).

Times are Asia/Shanghai wall-clock time in November 2025 (no holidays that month). The business
calendar is the default one: Monday to Friday, 09:00–18:00. The period is the two weeks from
Monday 10 November to Monday 24 November (exclusive).

    complaint   received      first-response due  first answered     resolution due  resolved
    c1          Fri 14 17:00  Mon 17 12:00        Mon 17 10:00 met   Wed 19 18:00    Tue 18 15:00 met
    c2          Mon 10 09:30  Mon 10 13:30        Mon 10 10:00 met   Tue 11 18:00    Wed 12 11:00 late (†)
    c3          Sat 15 10:00  Mon 17 13:00        Mon 17 14:00 late  -               -  (repeat, escalated)
    c4 (P1)     Tue 11 20:00  Tue 11 22:00        Tue 11 20:30 met   Wed 12 20:00    Wed 12 08:00 met (*)
    c5          Wed 12 09:00  Wed 12 13:00        never (late)       -               -  (suspected abuse)
    c6          Thu 20 16:00  - (not triaged)     -                  -               -
    c7          Mon  3 10:00  Mon  3 14:00        Mon  3 11:00       Thu  6 18:00    Mon 10 10:00 late
    c8          Fri 21 17:30  Mon 24 12:30 (out)  Mon 24 09:30 (out) -               -
    c9          Thu  6 09:00  Thu  6 13:00 (out)  Mon 10 09:00 late  -               -
    c10         Tue 11 12:00  merged into c1: counted nowhere
    c11 (tech)  Tue 11 10:00  Tue 11 14:00        Tue 11 11:00 met   -               -
    c12         Mon 20 Oct    (all before the period; only its survey, answered in the period, counts)

(*) c4 is a repeat complaint, raised to P1 (round the clock), reopened once and resolved again.
(†) c2 was escalated twice and is closed now (after its resolution).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.analytics import durations
from complaint_service.core.clock import utcnow
from complaint_service.models import Agent, Complaint, Customer, SlaClock, Survey
from complaint_service.sla.calendar import AROUND_THE_CLOCK_SPEC, DEFAULT_BUSINESS_HOURS_SPEC

ZONE = ZoneInfo("Asia/Shanghai")
PERIOD = ("2025-11-10T00:00:00+08:00", "2025-11-24T00:00:00+08:00")
BUSINESS = dict(DEFAULT_BUSINESS_HOURS_SPEC)
ALWAYS = dict(AROUND_THE_CLOCK_SPEC)


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {"rate": numerator / denominator, "numerator": numerator, "denominator": denominator}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Dataset:
    complaints: dict[str, uuid.UUID] = field(default_factory=dict)
    customers: dict[str, uuid.UUID] = field(default_factory=dict)
    agent_id: uuid.UUID = field(default_factory=uuid.uuid4)
    agent_name: str = "李娜"


def _complaint(name: str, received: datetime, **fields: Any) -> Complaint:
    return Complaint(
        id=uuid.uuid4(),
        reference=f"T-{name}",
        channel=fields.pop("channel", "app_feedback"),
        external_id=f"analytics-{name}",
        body=f"complaint {name}",
        status=fields.pop("status", "in_progress"),
        category=fields.pop("category", "payment_billing"),
        urgency=fields.pop("urgency", "P3"),
        department=fields.pop("department", "finance"),
        received_at=received,
        **fields,
    )


def _clock(
    complaint: Complaint, kind: str, spec: dict[str, Any], *, seq: int = 0, state: str = "met"
) -> SlaClock:
    return SlaClock(
        complaint_id=complaint.id,
        kind=kind,
        seq=seq,
        state=state,
        target_seconds=4 * 3600,
        calendar=spec,
        policy_ids=[],
        started_at=complaint.received_at,
    )


def _survey(complaint: Complaint, sent: datetime, **fields: Any) -> Survey:
    return Survey(
        complaint_id=complaint.id,
        token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        status=fields.pop("status", "answered"),
        sent_at=sent,
        expires_at=sent + timedelta(days=7),
        department=complaint.department,
        category=complaint.category,
        **fields,
    )


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> Dataset:
    data = Dataset()
    now = utcnow()
    async with sessionmaker() as session, session.begin():
        customers = {k: Customer(id=uuid.uuid4(), display_name=k) for k in ("K1", "K2", "K3", "K4")}
        agent = Agent(id=data.agent_id, name=data.agent_name, departments=["finance"], role="agent")
        session.add_all([*customers.values(), agent])
        await session.flush()
        k = {name: c.id for name, c in customers.items()}
        rows = {
            "c1": _complaint(
                "c1",
                at(14, 17),
                status="resolved",
                customer_id=k["K1"],
                assignee_id=agent.id,
                first_response_due_at=at(17, 12),
                first_response_at=at(17, 10),
                resolution_due_at=at(19, 18),
                resolved_at=at(18, 15),
            ),
            "c2": _complaint(
                "c2",
                at(10, 9, 30),
                status="closed",
                customer_id=k["K2"],
                assignee_id=agent.id,
                escalation_level=2,
                channel="wechat",
                first_response_due_at=at(10, 13, 30),
                first_response_at=at(10, 10),
                resolution_due_at=at(11, 18),
                resolved_at=at(12, 11),
                closed_at=at(15, 11),
            ),
            "c3": _complaint(
                "c3",
                at(15, 10),
                customer_id=k["K3"],
                flags=["repeat"],
                escalation_level=1,
                first_response_due_at=at(17, 13),
                first_response_at=at(17, 14),
            ),
            "c4": _complaint(
                "c4",
                at(11, 20),
                status="resolved",
                urgency="P1",
                customer_id=k["K1"],
                flags=["repeat"],
                reopen_count=1,
                first_response_due_at=at(11, 22),
                first_response_at=at(11, 20, 30),
                resolution_due_at=at(12, 20),
                resolved_at=at(12, 8),
            ),
            "c5": _complaint(
                "c5",
                at(12, 9),
                status="assigned",
                flags=["suspected_abuse"],
                first_response_due_at=at(12, 13),
            ),
            "c6": _complaint("c6", at(20, 16), status="new", category=None, urgency=None, department=None),
            "c7": _complaint(
                "c7",
                at(3, 10),
                status="resolved",
                customer_id=k["K4"],
                first_response_due_at=at(3, 14),
                first_response_at=at(3, 11),
                resolution_due_at=at(6, 18),
                resolved_at=at(10, 10),
            ),
            "c8": _complaint(
                "c8", at(21, 17, 30), first_response_due_at=at(24, 12, 30), first_response_at=at(24, 9, 30)
            ),
            "c9": _complaint("c9", at(6, 9), first_response_due_at=at(6, 13), first_response_at=at(10, 9)),
            "c11": _complaint(
                "c11",
                at(11, 10),
                department="tech",
                category="product_defect",
                first_response_due_at=at(11, 14),
                first_response_at=at(11, 11),
            ),
            "c12": _complaint(
                "c12",
                at(20, 10, month=10),
                status="closed",
                first_response_at=at(20, 11, month=10),
                resolved_at=at(5, 10),
                closed_at=at(8, 10),
            ),
        }
        # Open complaints received lately, for the backlog's age buckets (outside the period).
        for name, age, status in (
            ("b1", timedelta(hours=1), "new"),
            ("b2", timedelta(hours=5), "triaged"),
            ("b3", timedelta(hours=30), "assigned"),
            ("b4", timedelta(days=4), "pending_customer"),
            ("b5", timedelta(hours=1), "closed"),
        ):
            rows[name] = _complaint(name, now - age, status=status)
        session.add_all(rows.values())
        await session.flush()
        merged = {
            "c10": _complaint("c10", at(11, 12), status="closed", merged_into_id=rows["c1"].id),
            "b6": _complaint("b6", now - timedelta(hours=2), status="closed", merged_into_id=rows["c1"].id),
        }
        session.add_all(merged.values())
        rows |= merged
        clocks = [
            _clock(rows[name], kind, BUSINESS)
            for name in ("c1", "c2", "c3", "c5", "c7", "c8", "c9", "c11")
            for kind in ("first_response", "resolution")
        ]
        # c4 became P1 (round the clock); it was reopened, and its latest resolution clock decides.
        clocks += [
            _clock(rows["c4"], "first_response", ALWAYS),
            _clock(rows["c4"], "resolution", BUSINESS, state="cancelled"),
            _clock(rows["c4"], "resolution", ALWAYS, seq=1),
        ]
        session.add_all(clocks)
        session.add_all(
            [
                _survey(rows["c1"], at(18, 15, 5), answered_at=at(19, 9), score=5, agent_id=agent.id),
                _survey(rows["c2"], at(12, 11, 5), answered_at=at(13, 9), score=3, agent_id=agent.id),
                _survey(rows["c4"], at(12, 8, 5), status="pending"),
                _survey(rows["c4"], at(11, 6), status="superseded"),
                _survey(rows["c7"], at(10, 10, 5), answered_at=at(11, 9), score=4),
                _survey(rows["c12"], at(5, 10, 5), answered_at=at(10, 12), score=1),
            ]
        )
        await session.flush()
        # Business durations the way production fills them for rows without them.
        assert await durations.backfill(session, limit=100) == 9
        data.complaints = {name: c.id for name, c in rows.items()}
        data.customers = k
    return data


async def seed_pending_response(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime) -> None:
    """Two complaints due in two hours; one answered already."""
    async with sessionmaker() as session, session.begin():
        session.add_all(
            [
                _complaint(
                    "answered",
                    now - timedelta(hours=1),
                    first_response_due_at=now + timedelta(hours=2),
                    first_response_at=now - timedelta(minutes=30),
                ),
                _complaint(
                    "waiting", now - timedelta(hours=1), first_response_due_at=now + timedelta(hours=2)
                ),
            ]
        )


# Customer activity reported through the API: (customer, occurred_at).
ACTIVITY = (
    ("K1", at(18, 20)),  # after c1's resolution (Tue 18 15:00): K1 converts
    ("K1", at(1, 12)),  # older, reported later: the latest activity stays Tue 18 20:00
    ("K2", at(12, 10)),  # before c2's resolution (Wed 12 11:00): K2 does not
    ("K4", at(20, 9)),  # after c7's resolution: K4 converts
    ("K3", at(21, 9)),  # K3 has nothing resolved in the period
)
