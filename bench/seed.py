"""Bulk rows straight into PostgreSQL: open complaints, each with a running clock and pending actions."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from sqlalchemy import select, text

from bench.env import BenchEnv
from complaint_service.models import Agent, Department
from complaint_service.sla.calendar import AROUND_THE_CLOCK_SPEC

BATCH = 100_000
AGENTS_PER_DEPARTMENT = 4

# One statement per batch: complaints already triaged and assigned (so only the SLA reconciler finds
# work), one running first-response clock each, and a 75% warning plus the breach on every clock.
_SEED = """
WITH c AS (
    INSERT INTO complaints (id, reference, channel, external_id, body, language, status, category, urgency,
                            department, received_at, triaged_at, assigned_at)
    SELECT gen_random_uuid(), 'B' || lpad(g::text, 9, '0'), 'web_form', 'bench-timer-' || g,
           '订单' || (202611220000000 + g) || '支付失败，钱已经扣了但是订单没有生成，请尽快处理。',
           'zh-Hans', 'assigned', 'payment_billing', 'P2', 'finance', now(), now(), now()
    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
    RETURNING id
), k AS (
    INSERT INTO sla_clocks (id, complaint_id, kind, seq, state, target_seconds, calendar, policy_ids,
                            started_at, due_at)
    SELECT gen_random_uuid(), c.id, 'first_response', 0, 'running', 3600, CAST(:calendar AS jsonb),
           '[]'::jsonb, now(), CAST(:due_from AS timestamptz) + make_interval(secs => :span)
    FROM c
    RETURNING id, complaint_id
)
INSERT INTO sla_actions (id, clock_id, complaint_id, kind, label, spec, due_at)
SELECT gen_random_uuid(), k.id, k.complaint_id, a.kind, a.label, CAST(a.spec AS jsonb),
       CAST(:due_from AS timestamptz) + make_interval(secs => random() * :span)
FROM k CROSS JOIN (VALUES ('warning', '75%', '{"label": "75%", "share": 0.75}'), ('breach', 'breach', '{}'))
    AS a(kind, label, spec)
"""
ACTIONS_PER_COMPLAINT = 2


async def open_complaints(
    env: BenchEnv, *, first: int, count: int, due_from: datetime, span_s: float
) -> None:
    """Complaints numbered first..first+count-1, their actions due uniformly in [due_from, +span_s)."""
    calendar = json.dumps(AROUND_THE_CLOCK_SPEC)
    for start in range(first, first + count, BATCH):
        last = min(start + BATCH, first + count) - 1
        async with env.engine.begin() as conn:
            await conn.execute(
                text(_SEED),
                {"first": start, "last": last, "calendar": calendar, "due_from": due_from, "span": span_s},
            )


async def vacuum_analyze(
    env: BenchEnv, *, tables: tuple[str, ...] = ("complaints", "sla_clocks", "sla_actions")
) -> None:
    """What autovacuum would have done by the time a real table reached this size."""
    async with env.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            await conn.execute(text(f"VACUUM ANALYZE {table}"))


def agent_id(department: str, i: int) -> uuid.UUID:
    """Agent i of a department; SQL seeding finds the same id as md5('bench-agent-<dept>-<i>')::uuid."""
    return uuid.UUID(hashlib.md5(f"bench-agent-{department}-{i}".encode()).hexdigest())


async def seed_agents(env: BenchEnv, *, per_department: int = AGENTS_PER_DEPARTMENT) -> int:
    """Agents in every department, on shift around the clock, with room for every complaint."""
    async with env.sessionmaker() as session, session.begin():
        keys = (await session.scalars(select(Department.key))).all()
        session.add_all(
            Agent(
                id=agent_id(key, i),
                name=f"{key}-bench-{i}",
                departments=[key],
                capacity=1_000_000,
                schedule=dict(AROUND_THE_CLOCK_SPEC),
                role="agent",
                languages=[],
                skills=[],
                status="active",
            )
            for key in keys
            for i in range(per_department)
        )
    return len(keys) * per_department
