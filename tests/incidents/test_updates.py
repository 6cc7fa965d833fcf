"""Incidents worked by supervisors: links by hand, updates to every customer once, resolution of all."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.complaints import lifecycle
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.incidents import repository as incidents_repository
from complaint_service.incidents import service as incidents_service
from complaint_service.incidents.tasks import notify
from complaint_service.models import Complaint, IncidentNotice, IncidentUpdate, Message
from complaint_service.settings import IncidentConfig, Settings
from tests.fixtures.senders import submit, triage
from tests.incidents.texts import PAYMENT_HANS, PAYMENT_HANT

SUPERVISOR = "user:0193a5c2-6000-7000-8000-00000000a002"
UPDATE = "支付通道已恢复部分服务，预计 30 分钟内完全恢复。"
ANNOUNCEMENT = "您好，支付故障已修复。若您被扣款但订单未生成，款项将在 1-3 个工作日内原路退回。"


async def in_session(sessionmaker: async_sessionmaker[AsyncSession], action: Any, **kwargs: Any) -> Any:
    async with sessionmaker() as session, session.begin():
        return await action(session, actor=SUPERVISOR, **kwargs)


async def reports(
    client: httpx.AsyncClient, headers: dict[str, str], ctx: dict[str, Any], count: int
) -> list[uuid.UUID]:
    """Triaged payment complaints of `count` customers, too few to open an incident on their own."""
    texts = [*PAYMENT_HANS, *PAYMENT_HANT]
    ids = [await submit(client, headers, texts[n % len(texts)], sender=n) for n in range(count)]
    for complaint_id in ids:
        assert await triage(ctx, complaint_id) == "triaged"
    return ids


async def open_by_hand(sessionmaker: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]) -> uuid.UUID:
    incident = await in_session(
        sessionmaker,
        incidents_service.open_incident,
        title="微信支付通道故障",
        category="payment_billing",
        description=None,
        app_version=None,
        product_sku=None,
        complaint_ids=ids,
    )
    return uuid.UUID(str(incident.id))


async def send_all(ctx: dict[str, Any], settings: Settings, update_id: uuid.UUID) -> list[int]:
    """Batches of two, run as the chained jobs would run them, until one comes back short."""
    small = {
        **ctx,
        "settings": settings.model_copy(update={"incidents": IncidentConfig(notice_batch_size=2)}),
    }
    sizes = [await notify.coroutine(small, str(update_id))]
    while sizes[-1] == 2:
        sizes.append(await notify.coroutine(small, str(update_id)))
    return sizes


async def messages_with(sessionmaker: async_sessionmaker[AsyncSession], body: str) -> dict[uuid.UUID, int]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Message.complaint_id, func.count())
            .where(Message.body == body, Message.direction == "outbound")
            .group_by(Message.complaint_id)
        )
        return {row[0]: row[1] for row in rows}


class TestLinkByHand:
    async def test_opening_links_the_given_complaints_and_skips_those_in_another_incident(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ids = await reports(api_client, intake_headers, worker_ctx, 4)
        first = await open_by_hand(sessionmaker, ids[:2])
        second = await open_by_hand(sessionmaker, [])
        linked = await in_session(
            sessionmaker, incidents_service.link_by_hand, incident_id=second, complaint_ids=ids
        )
        assert linked == ids[2:]
        async with sessionmaker() as session:
            counts = await incidents_repository.counts(session, incident_ids=[first, second])
        assert (counts[first].complaints, counts[second].complaints) == (2, 2)
        assert (counts[first].customers, counts[first].open) == (2, 2)

    async def test_a_new_complaint_like_the_title_joins_the_open_incident(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        incident_id = await open_by_hand(sessionmaker, [])
        complaint_id = await submit(api_client, intake_headers, "微信支付失败，通道故障了吗", sender=1)
        await triage(worker_ctx, complaint_id)
        async with sessionmaker() as session:
            counts = await incidents_repository.counts(session, incident_ids=[incident_id])
        assert counts[incident_id].complaints == 1

    async def test_unlinking_and_linking_unknown_complaints(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ids = await reports(api_client, intake_headers, worker_ctx, 2)
        incident_id = await open_by_hand(sessionmaker, ids)
        await in_session(sessionmaker, incidents_service.unlink, incident_id=incident_id, complaint_id=ids[0])
        with pytest.raises(NotFound):
            await in_session(
                sessionmaker, incidents_service.unlink, incident_id=incident_id, complaint_id=ids[0]
            )
        with pytest.raises(NotFound):
            await in_session(
                sessionmaker,
                incidents_service.link_by_hand,
                incident_id=incident_id,
                complaint_ids=[uuid.uuid4()],
            )


class TestUpdates:
    async def test_each_open_linked_customer_is_sent_each_update_once_in_batches(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        ids = await reports(api_client, intake_headers, worker_ctx, 5)
        incident_id = await open_by_hand(sessionmaker, ids)
        async with sessionmaker() as session, session.begin():
            closed = await session.get_one(Complaint, ids[4])
            await lifecycle.close(session, closed, actor=SUPERVISOR, reason="withdrawn", administrative=True)

        update = await in_session(
            sessionmaker, incidents_service.post_update, incident_id=incident_id, body=UPDATE
        )
        assert await send_all(worker_ctx, settings, update.id) == [2, 2, 0]
        assert await send_all(worker_ctx, settings, update.id) == [0]  # sent: nothing more to do

        assert await messages_with(sessionmaker, UPDATE) == dict.fromkeys(ids[:4], 1)
        async with sessionmaker() as session:
            row = await session.get_one(IncidentUpdate, update.id)
            notices = await session.scalar(select(func.count()).select_from(IncidentNotice))
            first = await session.get_one(Complaint, ids[0])
        assert row.completed_at is not None
        assert notices == 4
        assert first.first_response_at is not None  # a public reply answers the complaint

    async def test_an_interrupted_send_resumes_without_repeating_anyone(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        ids = await reports(api_client, intake_headers, worker_ctx, 3)
        incident_id = await open_by_hand(sessionmaker, ids)
        update = await in_session(
            sessionmaker, incidents_service.post_update, incident_id=incident_id, body=UPDATE
        )
        small = {
            **worker_ctx,
            "settings": settings.model_copy(update={"incidents": IncidentConfig(notice_batch_size=2)}),
        }
        assert await notify.coroutine(small, str(update.id)) == 2
        # The next batch's job was lost; the sweep's job (another id) and a duplicate both run.
        assert sorted([await notify.coroutine(worker_ctx, str(update.id)) for _ in range(2)]) == [0, 1]
        assert await messages_with(sessionmaker, UPDATE) == dict.fromkeys(ids, 1)


class TestResolve:
    async def test_resolution_resolves_and_tells_every_open_linked_complaint_once(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        ids = await reports(api_client, intake_headers, worker_ctx, 3)
        incident_id = await open_by_hand(sessionmaker, ids)
        incident = await in_session(
            sessionmaker,
            incidents_service.resolve,
            incident_id=incident_id,
            code="incident_resolved",
            summary="支付通道故障已修复",
            announcement=ANNOUNCEMENT,
        )
        assert (incident.status, incident.resolution_code) == ("resolved", "incident_resolved")
        async with sessionmaker() as session:
            [update_id] = await session.scalars(select(IncidentUpdate.id))
        await send_all(worker_ctx, settings, update_id)

        assert await messages_with(sessionmaker, ANNOUNCEMENT) == dict.fromkeys(ids, 1)
        async with sessionmaker() as session:
            rows = list(await session.scalars(select(Complaint).where(Complaint.id.in_(ids))))
        assert {(r.status, r.resolution_code, r.resolution_summary) for r in rows} == {
            ("resolved", "incident_resolved", "支付通道故障已修复")
        }

        with pytest.raises(Conflict):
            await in_session(
                sessionmaker,
                incidents_service.resolve,
                incident_id=incident_id,
                code="incident_resolved",
                summary="again",
                announcement="again",
            )
        with pytest.raises(Conflict):
            await in_session(
                sessionmaker, incidents_service.post_update, incident_id=incident_id, body=UPDATE
            )
