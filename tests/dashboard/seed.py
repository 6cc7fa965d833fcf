"""A day in the life of a complaint team, written straight to PostgreSQL with known timestamps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.analytics import activity
from complaint_service.analytics.schemas import CustomerEventIn
from complaint_service.auth.passwords import hash_password
from complaint_service.core.clock import utcnow
from complaint_service.models import (
    Agent,
    Alert,
    Complaint,
    Customer,
    Incident,
    IncidentComplaint,
    SlaClock,
    Survey,
)

CHANNELS = ("wechat", "email", "app_feedback", "phone_transcript")
CATEGORIES = ("payment_billing", "product_defect", "delivery_logistics", "service_attitude")


@dataclass(frozen=True)
class Seeded:
    supervisor_id: uuid.UUID
    email: str
    password: str
    attention: tuple[str, ...]  # references of the breached or escalated open complaints
    incident_title: str
    alert_id: uuid.UUID


def _complaint(n: int, received_at: datetime, **fields: object) -> Complaint:
    defaults: dict[str, object] = {
        "category": CATEGORIES[n % len(CATEGORIES)],
        "urgency": "P3",
        "department": "customer_service",
        "first_response_due_at": received_at + timedelta(hours=2),
        "resolution_due_at": received_at + timedelta(hours=72),
    }
    return Complaint(
        reference=f"C-DASH-{n:04d}",
        channel=CHANNELS[n % len(CHANNELS)],
        body="订单支付后一直显示待付款",
        received_at=received_at,
        **(defaults | fields),
    )


def _breached_clock(complaint: Complaint, kind: str, due_at: datetime) -> SlaClock:
    return SlaClock(
        complaint_id=complaint.id,
        kind=kind,
        seq=0,
        state="running",
        target_seconds=7200,
        calendar={},
        policy_ids=[],
        started_at=complaint.received_at,
        due_at=due_at,
        breached_at=due_at,
    )


def _alert(app_version: str, now: datetime) -> Alert:
    return Alert(
        dimension="app_version",
        value=app_version,
        window_start=now - timedelta(minutes=70),
        window_end=now - timedelta(minutes=10),
        count=57,
        baseline_mean=3.4,
        baseline_stddev=1.9,
        threshold=9.1,
    )


async def add_alert(sessionmaker: async_sessionmaker[AsyncSession], app_version: str) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(_alert(app_version, utcnow()))


async def seed_operations(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime) -> Seeded:
    password = "correct horse battery staple"
    async with sessionmaker() as session, session.begin():
        supervisor = Agent(
            name="Zhang Wei",
            email="zhang.wei@example.com",
            role="supervisor",
            departments=[],
            status="away",
            password_hash=await hash_password(password),
        )
        customers = [Customer(display_name=f"customer {i}") for i in range(4)]
        session.add_all([supervisor, *customers])
        await session.flush()

        # Eight resolved complaints over the last eight days: first answers late for n = 0 and 4,
        # one resolution late (n = 3), one a repeat; four answered surveys (5, 4, 5, 2).
        resolved = []
        for n in range(8):
            received = now - timedelta(days=n + 1, hours=3)
            resolved_at = received + timedelta(hours=80 if n == 3 else 20)
            resolved.append(
                _complaint(
                    n,
                    received,
                    customer_id=customers[n % 4].id,
                    status="closed" if n % 2 else "resolved",
                    first_response_at=received + timedelta(hours=3 if n % 4 == 0 else 1),
                    resolved_at=resolved_at,
                    closed_at=resolved_at + timedelta(hours=1) if n % 2 else None,
                    resolution_code="solved",
                    flags=["repeat"] if n == 5 else [],
                )
            )
        session.add_all(resolved)
        await session.flush()
        for n, score in enumerate((5, 4, 5, 2)):
            complaint = resolved[n]
            assert complaint.resolved_at is not None
            sent = complaint.resolved_at + timedelta(minutes=1)
            session.add(
                Survey(
                    complaint_id=complaint.id,
                    token_hash=uuid.uuid4().hex,
                    status="answered",
                    category=complaint.category,
                    department=complaint.department,
                    sent_at=sent,
                    expires_at=sent + timedelta(days=7),
                    answered_at=sent + timedelta(hours=1),
                    score=score,
                )
            )
        # Customer 1 ordered again after their complaints were resolved: one conversion.
        await activity.record(
            session,
            customer_id=customers[1].id,
            event=CustomerEventIn(type="order_placed", occurred_at=now - timedelta(hours=6)),
            reported_by="api_key:platform",
        )

        # Five open complaints: an escalated P1 past its first-response due time, a P2 past its
        # resolution due time, and three on time (one not triaged yet).
        escalated = _complaint(
            10,
            now - timedelta(hours=5),
            status="assigned",
            urgency="P1",
            department="finance",
            escalation_level=1,
        )
        overdue = _complaint(11, now - timedelta(days=4), status="in_progress", urgency="P2")
        overdue.first_response_at = overdue.received_at + timedelta(hours=1)
        on_time = [
            _complaint(12, now - timedelta(hours=1), status="triaged"),
            _complaint(13, now - timedelta(hours=12), status="pending_customer"),
            _complaint(14, now - timedelta(minutes=10), status="new", category=None, urgency=None),
        ]
        on_time[1].first_response_at = on_time[1].received_at + timedelta(minutes=30)
        session.add_all([escalated, overdue, *on_time])
        await session.flush()
        session.add_all(
            [
                _breached_clock(escalated, "first_response", escalated.received_at + timedelta(hours=2)),
                _breached_clock(overdue, "resolution", overdue.received_at + timedelta(hours=72)),
            ]
        )

        incident = Incident(
            title="支付回调超时 Payment callbacks time out",
            category="payment_billing",
            automatic=True,
            opened_by="system:incidents",
        )
        session.add(incident)
        await session.flush()
        session.add(IncidentComplaint(complaint_id=escalated.id, incident_id=incident.id, linked_by="system"))
        alert = _alert("5.2.1", now)
        session.add(alert)
    return Seeded(
        supervisor_id=supervisor.id,
        email="zhang.wei@example.com",
        password=password,
        attention=(escalated.reference, overdue.reference),
        incident_title=incident.title,
        alert_id=alert.id,
    )
