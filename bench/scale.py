"""Read latency with a million complaints stored: list filters and deep cursors, detail and timeline.

The rows are written straight into PostgreSQL, one `INSERT … SELECT generate_series` per batch (the
API would take far longer than the measurement): a year of complaints, newest mostly open and older
mostly closed, skewed over categories, channels, urgencies, departments, agents and 200,000
customers (a few write often); every tenth complaint also has its inbound message and its timeline
(received, triaged, assigned). Ids are time-ordered like the service's UUIDv7, so the list's order
by id is the order of arrival. Then the real API process is asked, one request at a time.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text

from bench import seed
from bench.client import Connection, Request, lanes
from bench.env import BenchEnv, bench_env
from bench.report import show, summary
from bench.texts import TEMPLATES
from complaint_service.models.enums import Category, Channel, Department, Urgency

CUSTOMERS = 200_000
AGENTS_PER_DEPARTMENT = 25
SECONDS_PER_YEAR = 365 * 86400
RECENT_SECONDS = 14 * 86400
# Where the default routing rules send each category (migration 0002).
ROUTE = {
    Category.product_defect: Department.tech,
    Category.payment_billing: Department.finance,
    Category.delivery_logistics: Department.logistics,
    Category.service_attitude: Department.customer_service,
    Category.account_security: Department.security,
    Category.privacy: Department.legal_compliance,
    Category.product_quality: Department.quality,
    Category.refund_return: Department.finance,
    Category.suggestion: Department.product,
    Category.other: Department.customer_service,
}
CATEGORY_SHARE = {
    Category.delivery_logistics: 0.24,
    Category.refund_return: 0.18,
    Category.product_quality: 0.14,
    Category.payment_billing: 0.12,
    Category.product_defect: 0.10,
    Category.service_attitude: 0.08,
    Category.other: 0.06,
    Category.account_security: 0.03,
    Category.suggestion: 0.03,
    Category.privacy: 0.02,
}
CHANNEL_SHARE = {
    Channel.app_feedback: 0.22,
    Channel.wechat: 0.20,
    Channel.live_chat: 0.15,
    Channel.phone_transcript: 0.12,
    Channel.web_form: 0.10,
    Channel.email: 0.08,
    Channel.weibo: 0.05,
    Channel.sms: 0.04,
    Channel.store_visit: 0.03,
    Channel.api: 0.01,
}
URGENCY_SHARE = {Urgency.P1: 0.03, Urgency.P2: 0.17, Urgency.P3: 0.60, Urgency.P4: 0.20}
RECENT_STATUS = {
    "new": 0.02,
    "triaged": 0.05,
    "assigned": 0.13,
    "in_progress": 0.30,
    "pending_customer": 0.10,
    "resolved": 0.20,
    "closed": 0.20,
}
OLD_STATUS = {"closed": 0.90, "resolved": 0.06, "in_progress": 0.02, "pending_customer": 0.02}
TIER_SHARE = {"standard": 0.80, "silver": 0.12, "gold": 0.06, "vip": 0.02}
HANDLED = ("assigned", "in_progress", "pending_customer", "resolved", "closed")


def pick(column: str, shares: dict[Any, float]) -> str:
    """A CASE over the cumulative shares: `column` holds a uniform random number in [0, 1)."""
    arms, total = [], 0.0
    for value, share in shares.items():
        total += share
        arms.append(f"WHEN {column} < {total:.4f} THEN '{value}'")
    return f"(CASE {' '.join(arms[:-1])} ELSE '{next(reversed(shares))}' END)"


def _uuid(seed_sql: str, ts_sql: str) -> str:
    """A UUIDv7-shaped id: 48 bits of milliseconds from `ts_sql`, the rest from md5(`seed_sql`)."""
    return (
        f"(lpad(to_hex(floor(extract(epoch FROM {ts_sql}) * 1000)::bigint), 12, '0') || '7' "
        f"|| substr(md5({seed_sql}), 1, 3) || '8' || substr(md5({seed_sql}), 4, 15))::uuid"
    )


CUSTOMERS_SQL = f"""
INSERT INTO customers (id, display_name, tier)
SELECT md5('bench-customer-' || k)::uuid, '客户' || k, {pick("random()", TIER_SHARE)}
FROM generate_series(1, {CUSTOMERS}) AS k
"""

BODIES = "ARRAY[" + ", ".join("'" + body.replace("'", "''") + "'" for _, _, body in TEMPLATES) + "]"
ROUTE_SQL = "(CASE category " + " ".join(f"WHEN '{c}' THEN '{d}'" for c, d in ROUTE.items()) + " END)"

COMPLAINTS_SQL = f"""
WITH src AS (
    SELECT g, now() - make_interval(secs => (CAST(:total AS bigint) - g) * CAST(:spacing AS float8)) AS ts,
           (CAST(:total AS bigint) - g) * CAST(:spacing AS float8) < {RECENT_SECONDS} AS recent,
           random() AS r_status, random() AS r_category, random() AS r_channel, random() AS r_urgency,
           random() AS r_customer, random() AS r_agent
    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
), shaped AS (
    SELECT g, ts, r_customer, r_agent, r_urgency, r_channel,
           CASE WHEN recent THEN {pick("r_status", RECENT_STATUS)} ELSE {pick("r_status", OLD_STATUS)} END
               AS status,
           {pick("r_category", CATEGORY_SHARE)} AS category
    FROM src
), routed AS (
    SELECT *, {ROUTE_SQL} AS department FROM shaped
), c AS (
    INSERT INTO complaints (id, reference, channel, external_id, customer_id, subject, body, language,
                            order_id, status, category, urgency, department, assignee_id, received_at,
                            created_at, updated_at, triaged_at, assigned_at, resolved_at, closed_at,
                            first_response_at)
    SELECT {_uuid("'c' || g", "ts")}, 'S' || lpad(g::text, 9, '0'), {pick("r_channel", CHANNEL_SHARE)},
           'seed-' || g, md5('bench-customer-' || (1 + floor({CUSTOMERS} * power(r_customer, 3)))::int)::uuid,
           NULL, replace(replace(({BODIES})[1 + g % {len(TEMPLATES)}], '{{order}}', '2026' || g),
                         '{{amount}}', (g % 2000)::text),
           'zh-Hans', '2026' || g, status,
           CASE WHEN status <> 'new' THEN category END,
           CASE WHEN status <> 'new' THEN {pick("r_urgency", URGENCY_SHARE)} END,
           CASE WHEN status <> 'new' THEN department END,
           CASE WHEN status IN {HANDLED} THEN md5('bench-agent-' || department || '-'
               || floor({AGENTS_PER_DEPARTMENT} * power(r_agent, 2))::int)::uuid END,
           ts, ts, ts + interval '1 hour',
           CASE WHEN status <> 'new' THEN ts + interval '1 second' END,
           CASE WHEN status IN {HANDLED} THEN ts + interval '2 seconds' END,
           CASE WHEN status IN ('resolved', 'closed') THEN ts + interval '2 days' END,
           CASE WHEN status = 'closed' THEN ts + interval '5 days' END,
           CASE WHEN status IN {HANDLED} THEN ts + interval '20 minutes' END
    FROM routed
    RETURNING id, channel, external_id, body, status, department, assignee_id, received_at
), m AS (
    INSERT INTO messages (id, complaint_id, direction, visibility, channel, external_id, body, created_at)
    SELECT {_uuid("'m' || c.external_id", "c.received_at")}, c.id, 'inbound', 'public', c.channel,
           c.external_id, c.body, c.received_at
    FROM c WHERE right(c.external_id, 1) = '0'
)
INSERT INTO events (id, complaint_id, type, actor, data, occurred_at)
SELECT {_uuid("e.type || c.external_id", "c.received_at + e.after")}, c.id, e.type, e.actor,
       jsonb_build_object('channel', c.channel, 'department', c.department), c.received_at + e.after
FROM c CROSS JOIN LATERAL (VALUES
    ('complaint.received', 'api_key:adapter', interval '0', true),
    ('complaint.triaged', 'system:triage', interval '1 second', c.status <> 'new'),
    ('complaint.assigned', 'system:routing', interval '2 seconds', c.assignee_id IS NOT NULL)
) AS e(type, actor, after, happened)
WHERE right(c.external_id, 1) = '0' AND e.happened
"""


async def populate(env: BenchEnv, *, rows: int) -> dict[str, Any]:
    """Customers, agents and `rows` complaints; returns how long each step took."""
    started = time.monotonic()
    await seed.seed_agents(env, per_department=AGENTS_PER_DEPARTMENT)
    async with env.engine.begin() as conn:
        await conn.execute(text(CUSTOMERS_SQL))
    spacing = SECONDS_PER_YEAR / rows
    for first in range(1, rows + 1, seed.BATCH):
        last = min(first + seed.BATCH - 1, rows)
        async with env.engine.begin() as conn:
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
            await conn.execute(
                text(COMPLAINTS_SQL), {"first": first, "last": last, "total": rows, "spacing": spacing}
            )
    inserted = time.monotonic() - started
    await seed.vacuum_analyze(env, tables=("customers", "agents", "complaints", "messages", "events"))
    return {"insert_s": round(inserted, 1), "total_s": round(time.monotonic() - started, 1)}


async def _fetch(env: BenchEnv, sql: str) -> list[Any]:
    async with env.engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


async def list_queries(env: BenchEnv) -> dict[str, dict[str, str]]:
    """The filters a console sends most, with values read from the data (the busiest agent, ...)."""
    agent = (
        await _fetch(
            env,
            "SELECT assignee_id FROM complaints WHERE assignee_id IS NOT NULL AND status = 'in_progress' "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        )
    )[0][0]
    return {
        "newest (no filter)": {},
        "status=in_progress": {"status": "in_progress"},
        "department=finance & status=assigned": {"department": "finance", "status": "assigned"},
        "department=logistics": {"department": "logistics"},
        "category=delivery_logistics": {"category": "delivery_logistics"},
        "channel=wechat": {"channel": "wechat"},
        "assignee (busiest agent)": {"assignee_id": str(agent)},
        "urgency=P1 & status=in_progress": {"urgency": "P1", "status": "in_progress"},
    }


async def _get(lane: Connection, target: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    reply = await lane.request(Request("GET", target, "application/json", b""))
    elapsed = (time.perf_counter() - started) * 1000
    if reply.status != 200:
        raise RuntimeError(f"GET {target}: {reply.status} {reply.body[:300]!r}")
    return elapsed, json.loads(reply.body)


async def list_latency(
    lane: Connection, filters: dict[str, str], *, firsts: int, depth: int
) -> dict[str, Any]:
    """`firsts` first pages, then one chain of `depth` pages following next_cursor.

    A first page and a second are fetched untimed before: a process that has served this query before
    (as a live one has) has compiled its SQL and prepared its statement on the connection.
    """
    query = urlencode(filters)

    def after(cursor: str) -> str:
        return f"/v1/complaints?{urlencode({**filters, 'cursor': cursor})}"

    warm: str | None = (await _get(lane, f"/v1/complaints?{query}"))[1]["next_cursor"]
    if warm:
        await _get(lane, after(warm))
    first_page = [(await _get(lane, f"/v1/complaints?{query}"))[0] for _ in range(firsts)]
    deep: list[float] = []
    cursor: str | None = (await _get(lane, f"/v1/complaints?{query}"))[1]["next_cursor"]
    while cursor and len(deep) < depth:
        elapsed, page = await _get(lane, after(cursor))
        deep.append(elapsed)
        cursor = page["next_cursor"]
    return {"first_page_ms": summary(first_page), "deep_pages_ms": summary(deep), "pages_deep": len(deep)}


async def detail_latency(env: BenchEnv, lane: Connection, *, count: int) -> dict[str, Any]:
    """A complaint, then its timeline, for `count` complaints that have one, picked at random."""
    ids = [
        str(row[0])
        for row in await _fetch(
            env, f"SELECT complaint_id FROM events TABLESAMPLE SYSTEM (5) GROUP BY 1 LIMIT {count * 4}"
        )
    ]
    chosen = random.Random(7).sample(ids, min(count, len(ids)))
    detail, timeline = [], []
    if chosen:  # untimed, as for the lists: the statements are compiled and prepared once per process
        await _get(lane, f"/v1/complaints/{chosen[0]}")
        await _get(lane, f"/v1/complaints/{chosen[0]}/timeline")
    for complaint_id in chosen:
        detail.append((await _get(lane, f"/v1/complaints/{complaint_id}"))[0])
        elapsed, page = await _get(lane, f"/v1/complaints/{complaint_id}/timeline")
        if not page["items"]:
            raise RuntimeError(f"complaint {complaint_id} has an empty timeline")
        timeline.append(elapsed)
    return {"complaint_ms": summary(detail), "timeline_ms": summary(timeline)}


async def analytics_latency(lane: Connection, *, count: int, within: float = 30) -> dict[str, Any] | None:
    """`GET /v1/analytics/summary` `count` times (or for `within` seconds) when the service has it;
    None when the route answers 404."""
    probe = await lane.request(Request("GET", "/v1/analytics/summary", "application/json", b""))
    if probe.status == 404:
        return None
    if probe.status != 200:
        raise RuntimeError(f"GET /v1/analytics/summary: {probe.status} {probe.body[:300]!r}")
    until, times = time.monotonic() + within, list[float]()
    while len(times) < count and time.monotonic() < until:
        times.append((await _get(lane, "/v1/analytics/summary"))[0])
    return {"summary_ms": summary(times)}


async def run_scale(*, quick: bool, rows: int | None) -> dict[str, Any]:
    n = rows or (100_000 if quick else 1_000_000)
    firsts, depth, details = (30, 20, 50) if quick else (200, 100, 300)
    async with bench_env() as env:
        seeding = await populate(env, rows=n)
        print(f"(scale: {n:,} complaints seeded in {seeding['total_s']} s)", flush=True)
        await env.start_api()
        token = await env.admin_token()
        assert env.api_url is not None
        async with lanes(env.api_url, 1, headers={"Authorization": f"Bearer {token}"}) as idle:
            lane = await idle.get()
            lists = {
                name: await list_latency(lane, filters, firsts=firsts, depth=depth)
                for name, filters in (await list_queries(env)).items()
            }
            detail = await detail_latency(env, lane, count=details)
            analytics = await analytics_latency(lane, count=firsts)
        sizes = await _fetch(
            env,
            "SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM messages), "
            "(SELECT count(*) FROM events), pg_size_pretty(pg_total_relation_size('complaints'))",
        )
    result = {
        "complaints": sizes[0][0],
        "messages": sizes[0][1],
        "events": sizes[0][2],
        "complaints_size": sizes[0][3],
        "seeding": seeding,
        "lists": lists,
        "detail": detail,
        "analytics": analytics,
        "list_p99_max_ms": max(
            max(v["first_page_ms"]["p99"], v["deep_pages_ms"]["p99"]) for v in lists.values()
        ),
    }
    _show(result)
    return result


def _show(r: dict[str, Any]) -> None:
    def row(name: str, stats: dict[str, float]) -> Sequence[object]:
        return [name, stats["n"], stats["p50"], stats["p95"], stats["p99"], stats["max"]]

    rows: list[Sequence[object]] = []
    for name, figures in r["lists"].items():
        rows.append(row(f"list {name}: first page", figures["first_page_ms"]))
        deep = figures["pages_deep"]
        rows.append(
            row(
                f"list {name}: pages 2–{deep + 1}" if deep else f"list {name}: (one page)",
                figures["deep_pages_ms"],
            )
        )
    rows.append(row("GET /v1/complaints/{id}", r["detail"]["complaint_ms"]))
    rows.append(row("GET /v1/complaints/{id}/timeline", r["detail"]["timeline_ms"]))
    if r["analytics"] is not None:
        rows.append(row("GET /v1/analytics/summary", r["analytics"]["summary_ms"]))
    show(
        f"Scale: {r['complaints']:,} complaints ({r['complaints_size']} with indexes), "
        f"{r['messages']:,} messages, {r['events']:,} events; "
        "one request at a time, 50 per page (target: list p99 < 50 ms)",
        ["ms", "n", "p50", "p95", "p99", "max"],
        rows,
    )
    if r["analytics"] is None:
        print("GET /v1/analytics/summary: 404, not measured (the route does not exist yet)")
    print(
        f"seeded in {r['seeding']['total_s']} s (inserts {r['seeding']['insert_s']} s, then VACUUM ANALYZE)"
    )
