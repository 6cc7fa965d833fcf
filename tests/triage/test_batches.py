"""Triage in batches: complaints whose jobs run together share one unit of work and decide as if in turn."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.models import (
    Agent,
    Complaint,
    Event,
    Incident,
    IncidentComplaint,
    Message,
    SlaAction,
)
from complaint_service.triage import service as triage_service
from complaint_service.triage.tasks import classify
from tests.fixtures.builders import post_canonical
from tests.fixtures.seed import add_agents
from tests.fixtures.senders import submit as submit_from
from tests.fixtures.senders import triage as triage_one
from tests.fixtures.statements import counted
from tests.incidents.texts import CRASH_HANS, CRASH_HANT, PAYMENT_HANS, PAYMENT_HANT

Sessions = async_sessionmaker[AsyncSession]
DELIVERY = "快递三天没有更新物流信息，订单号{n}到底什么时候能送到？"
CRASH = "更新到 5.2.{n} 之后一打开购物车就闪退，已经重装过了还是不行。"


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], n: int, body: str, **extra: Any
) -> uuid.UUID:
    """A complaint of a customer of its own (copies from one customer would be screened as a flood)."""
    response = await post_canonical(
        client,
        headers,
        subject=None,
        body=body.format(n=n),
        customer={"name": f"客户{n}", "phone": f"1390001{n:04d}"},
        **extra,
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def triage_together(
    sessionmaker: Sessions, ctx: dict[str, Any], ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    async with sessionmaker() as session:
        session.info.update(redis=ctx["redis"], settings=ctx["settings"], http=ctx["http"])
        outcomes = await triage_service.triage_many(
            session, complaint_ids=ids, request_ids={i: f"req-{n}" for n, i in enumerate(ids)}
        )
        await session.commit()
    return outcomes


async def complaints(sessionmaker: Sessions, ids: list[uuid.UUID]) -> list[Complaint]:
    async with sessionmaker() as session:
        found = {c.id: c for c in await session.scalars(select(Complaint).where(Complaint.id.in_(ids)))}
    return [found[i] for i in ids]


class TestOneUnitOfWork:
    async def test_a_batch_is_triaged_routed_assigned_and_acknowledged_in_a_few_statements(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "logistics", 3)
        await add_agents(sessionmaker, "tech", 3)
        # Different builds: the crashes are separate problems, so no incident links them.
        ids = [await submit(api_client, intake_headers, n, DELIVERY if n % 2 else CRASH) for n in range(10)]
        one = await submit(api_client, intake_headers, 99, DELIVERY)
        engine = worker_ctx["sessionmaker"].kw["bind"]

        with counted(engine) as alone:
            assert await triage_together(sessionmaker, worker_ctx, [one]) == {one: "triaged"}
        with counted(engine) as batch:
            outcomes = await triage_together(sessionmaker, worker_ctx, ids)

        assert set(outcomes.values()) == {"triaged"}
        got = await complaints(sessionmaker, ids)
        assert {c.department for c in got} == {"logistics", "tech"}
        assert all(c.status == "assigned" and c.assignee_id and c.first_response_due_at for c in got)
        async with sessionmaker() as session:
            acknowledged = await session.scalar(
                select(func.count()).where(Message.complaint_id.in_(ids), Message.direction == "outbound")
            )
            actions = await session.scalar(select(func.count()).where(SlaAction.complaint_id.in_(ids)))
        assert acknowledged == 10
        assert actions == 10 * 18  # 3 clocks × (2 warnings, breach, 3 escalation levels)
        # Ten complaints cost fewer than ten statements more than one: reads and writes are per batch.
        assert len(batch) < len(alone) + 10, (len(alone), len(batch))

    async def test_capacity_and_turns_hold_across_the_complaints_of_a_batch(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        agents = await add_agents(sessionmaker, "logistics", 3, capacity=2)
        ids = [await submit(api_client, intake_headers, n, DELIVERY) for n in range(8)]

        await triage_together(sessionmaker, worker_ctx, ids)

        got = await complaints(sessionmaker, ids)
        load = Counter(c.assignee_id for c in got)
        assert load == {a.id: 2 for a in agents} | {None: 2}  # six taken, two wait in the queue
        assert [c.status for c in got[-2:]] == ["triaged", "triaged"]
        async with sessionmaker() as session:
            counts = {a.id: a.open_count for a in await session.scalars(select(Agent))}
        assert counts == {a.id: 2 for a in agents}

    async def test_round_robin_takes_turns_inside_a_batch(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        agents = await add_agents(sessionmaker, "logistics", 3)
        async with sessionmaker() as session, session.begin():
            from complaint_service.models import Department

            department = await session.scalar(select(Department).where(Department.key == "logistics"))
            assert department is not None
            department.strategy = "round_robin"
        ids = [await submit(api_client, intake_headers, n, DELIVERY) for n in range(6)]

        await triage_together(sessionmaker, worker_ctx, ids)

        order = [c.assignee_id for c in await complaints(sessionmaker, ids)]
        assert order[:3] == order[3:]  # in turn, twice round
        assert set(order) == {a.id for a in agents}

    async def test_each_complaint_keeps_the_request_id_that_caused_it(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "logistics", 1)
        ids = [await submit(api_client, intake_headers, n, DELIVERY) for n in range(3)]

        await triage_together(sessionmaker, worker_ctx, ids)

        async with sessionmaker() as session:
            rows = await session.execute(
                select(Event.complaint_id, Event.request_id).where(
                    Event.complaint_id.in_(ids), Event.type != "complaint.received"
                )
            )
            seen = {(complaint_id, request_id) for complaint_id, request_id in rows}
        assert seen == {(i, f"req-{n}") for n, i in enumerate(ids)}

    async def test_a_later_complaint_of_the_batch_joins_the_customers_earlier_one(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        await add_agents(sessionmaker, "logistics", 1)
        same = {"customer": {"name": "王小明", "phone": "13900019999"}, "order_id": "202612060001"}
        first = await post_canonical(
            api_client, intake_headers, subject="物流", body=DELIVERY.format(n=1), **same
        )
        again = await post_canonical(
            api_client, intake_headers, subject="物流", body=DELIVERY.format(n=1), **same
        )
        ids = [uuid.UUID(first.json()["id"]), uuid.UUID(again.json()["id"])]

        outcomes = await triage_together(sessionmaker, worker_ctx, ids)

        assert outcomes == {ids[0]: "triaged", ids[1]: "merged into an open complaint of the customer"}
        ticket, merged = await complaints(sessionmaker, ids)
        assert (ticket.status, ticket.department) == ("assigned", "logistics")
        assert merged.merged_into_id == ticket.id


class TestIncidentsInABatch:
    async def test_a_batch_during_two_outages_reads_and_links_the_incidents_in_one_statement_each(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: Sessions,
        worker_ctx: dict[str, Any],
    ) -> None:
        payments = [
            await submit_from(api_client, intake_headers, text, sender=n)
            for n, text in enumerate([*PAYMENT_HANS, *PAYMENT_HANT] * 2)
        ]
        crashes = [
            await submit_from(api_client, intake_headers, text, sender=100 + n, app_version="5.2.1")
            for n, text in enumerate([*CRASH_HANS, *CRASH_HANT, *CRASH_HANS[:3]])
        ]
        for complaint_id in [*payments[:10], *crashes[:10]]:  # the tenth customer opens each incident
            assert await triage_one(worker_ctx, complaint_id) == "triaged"
        later = [*payments[10:], *crashes[10:]]
        engine = worker_ctx["sessionmaker"].kw["bind"]

        with counted(engine) as batch:
            outcomes = await triage_together(sessionmaker, worker_ctx, later)

        assert set(outcomes.values()) == {"triaged"}
        async with sessionmaker() as session:
            incidents = {
                incident.category: incident.id
                for incident in await session.scalars(select(Incident).where(Incident.status == "open"))
            }
            pairs = select(IncidentComplaint.complaint_id, IncidentComplaint.incident_id)
            links = {row.complaint_id: row.incident_id for row in await session.execute(pairs)}
            told = set(
                await session.scalars(
                    select(Event.complaint_id).where(
                        Event.complaint_id.in_(later), Event.type == "incident.linked"
                    )
                )
            )
        assert set(incidents) == {"payment_billing", "product_defect"}
        assert {links.get(c) for c in payments[10:]} == {incidents["payment_billing"]}
        assert {links.get(c) for c in crashes[10:]} == {incidents["product_defect"]}
        assert told == set(later)
        # The open incidents of both categories read at once, their samples at most once, one INSERT.
        assert sum(s.lstrip().startswith("SELECT incidents.") for s in batch) == 1, batch
        assert sum("incident_complaints ic" in s for s in batch) <= 1, batch
        assert sum(s.startswith("INSERT INTO incident_complaints") for s in batch) == 1, batch
        # The complaints' own changes: one UPDATE for the batch, not one each.
        assert sum(s.startswith("UPDATE complaints") for s in batch) == 1, batch


def _batch_sizes() -> tuple[float, float]:
    count = REGISTRY.get_sample_value("complaint_service_job_batch_size_count", {"job": "triage.classify"})
    total = REGISTRY.get_sample_value("complaint_service_job_batch_size_sum", {"job": "triage.classify"})
    return count or 0.0, total or 0.0


async def test_jobs_running_at_once_in_a_worker_share_one_batch(
    api_client: httpx.AsyncClient,
    intake_headers: dict[str, str],
    sessionmaker: Sessions,
    worker_ctx: dict[str, Any],
) -> None:
    await add_agents(sessionmaker, "logistics", 2)
    ids = [await submit(api_client, intake_headers, n, DELIVERY) for n in range(5)]
    before = _batch_sizes()

    results = await asyncio.gather(*(classify.coroutine(worker_ctx, str(i)) for i in ids))

    assert results == ["triaged"] * 5
    batches, complaints_in_them = (now - then for now, then in zip(_batch_sizes(), before, strict=True))
    assert (batches, complaints_in_them) == (1, 5)
    # A job that runs again finds its complaint triaged: nothing is done twice.
    assert await classify.coroutine(worker_ctx, str(ids[0])) == "already triaged"
