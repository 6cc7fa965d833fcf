"""Detection in triage: many customers with one problem open one incident; everyday traffic opens none."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service.incidents import service as incidents_service
from complaint_service.models import Complaint, Incident, IncidentComplaint, IncidentEvent
from complaint_service.settings import IncidentConfig, Settings
from tests.fixtures.senders import submit, triage
from tests.incidents.texts import CRASH_EN, CRASH_HANS, CRASH_HANT, PAYMENT_HANS, PAYMENT_HANT, STEADY


def incidents(settings: Settings, **config: Any) -> Settings:
    return settings.model_copy(update={"incidents": IncidentConfig(**config)})


async def opened(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Incident]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Incident).order_by(Incident.id)))


async def linked(sessionmaker: async_sessionmaker[AsyncSession], incident_id: uuid.UUID) -> set[uuid.UUID]:
    async with sessionmaker() as session:
        return set(
            await session.scalars(
                select(IncidentComplaint.complaint_id).where(IncidentComplaint.incident_id == incident_id)
            )
        )


class TestLinkOrDetect:
    async def test_the_tenth_customer_with_the_same_problem_opens_an_incident_and_later_ones_join(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        texts = [*PAYMENT_HANS, *PAYMENT_HANT] * 2
        ids = [await submit(api_client, intake_headers, t, sender=n) for n, t in enumerate(texts)]
        for complaint_id in ids[:9]:
            await triage(worker_ctx, complaint_id)
        assert await opened(sessionmaker) == []

        await triage(worker_ctx, ids[9])
        [incident] = await opened(sessionmaker)
        assert (incident.category, incident.status, incident.automatic) == ("payment_billing", "open", True)
        assert await linked(sessionmaker, incident.id) == set(ids[:10])

        for complaint_id in ids[10:]:
            await triage(worker_ctx, complaint_id)
        assert await linked(sessionmaker, incident.id) == set(ids)
        async with sessionmaker() as session:
            types = list(
                await session.scalars(
                    select(IncidentEvent.type)
                    .where(IncidentEvent.incident_id == incident.id)
                    .order_by(IncidentEvent.id)
                )
            )
        assert types[:2] == ["incident.opened", "incident.complaints_linked"]
        assert types.count("incident.complaints_linked") == 1 + len(ids[10:])

    async def test_one_outage_in_three_scripts_sharing_an_app_version_is_one_incident(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        # English shares no n-grams with Chinese: the English reports join by the app version.
        texts = [*CRASH_HANS, *CRASH_HANT, *CRASH_EN] * 2
        ids = [
            await submit(api_client, intake_headers, t, sender=n, app_version="5.2.1")
            for n, t in enumerate(texts)
        ]
        for complaint_id in ids:
            await triage(worker_ctx, complaint_id)
        [incident] = await opened(sessionmaker)
        assert (incident.category, incident.app_version) == ("product_defect", "5.2.1")
        assert await linked(sessionmaker, incident.id) == set(ids)

    async def test_the_same_words_about_another_app_version_are_another_problem(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        texts = [*CRASH_HANS, *CRASH_HANT]
        ids = [
            await submit(api_client, intake_headers, t, sender=n, app_version="5.2.1")
            for n, t in enumerate(texts)
        ]
        text = CRASH_HANS[0].replace("5.2.1", "4.9")
        other = await submit(api_client, intake_headers, text, sender=99, app_version="4.9")
        for complaint_id in [*ids, other]:
            await triage(worker_ctx, complaint_id)
        [incident] = await opened(sessionmaker)
        assert await linked(sessionmaker, incident.id) == set(ids)

    async def test_everyday_traffic_from_many_customers_opens_no_incident(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        ids = [
            await submit(api_client, intake_headers, t, sender=n, app_version="5.2.1")
            for n, t in enumerate(STEADY)
        ]
        for complaint_id in ids:
            await triage(worker_ctx, complaint_id)
        assert await opened(sessionmaker) == []

    async def test_one_customer_repeating_themselves_is_not_an_outage(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        texts = [*PAYMENT_HANS, *PAYMENT_HANT] * 2
        ids = [await submit(api_client, intake_headers, t, sender=n % 3) for n, t in enumerate(texts)]
        for complaint_id in ids:
            await triage(worker_ctx, complaint_id)
        assert await opened(sessionmaker) == []

    async def test_the_threshold_and_window_are_configurable(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        ids = [await submit(api_client, intake_headers, t, sender=n) for n, t in enumerate(PAYMENT_HANS)]
        three = incidents(settings, min_customers=3)
        for complaint_id in ids[:3]:
            await triage(worker_ctx, complaint_id, settings=three)
        [incident] = await opened(sessionmaker)
        assert await linked(sessionmaker, incident.id) == set(ids[:3])


class TestRacingWorkers:
    async def test_two_workers_completing_a_cluster_at_once_open_one_incident(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
    ) -> None:
        texts = [*PAYMENT_HANS, *PAYMENT_HANT] * 2
        ids = [await submit(api_client, intake_headers, t, sender=n) for n, t in enumerate(texts[:12])]
        for complaint_id in ids[:9]:
            await triage(worker_ctx, complaint_id)
        # Both see nine committed reports and themselves: each alone would open an incident.
        results = await asyncio.gather(*(triage(worker_ctx, i) for i in ids[9:12]))
        assert results == ["triaged"] * 3
        [incident] = await opened(sessionmaker)
        assert await linked(sessionmaker, incident.id) == set(ids)


class TestSweep:
    async def test_sweep_links_a_report_committed_after_the_opening(
        self,
        api_client: httpx.AsyncClient,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        worker_ctx: dict[str, Any],
        settings: Settings,
    ) -> None:
        texts = [*PAYMENT_HANS, *PAYMENT_HANT] * 2
        ids = [await submit(api_client, intake_headers, t, sender=n) for n, t in enumerate(texts[:11])]
        for complaint_id in ids[:10]:
            await triage(worker_ctx, complaint_id)
        [incident] = await opened(sessionmaker)
        # As if its triage had run before the incident committed: classified, in no incident.
        await triage(worker_ctx, ids[10], settings=incidents(settings, enabled=False))
        assert ids[10] not in await linked(sessionmaker, incident.id)

        async with sessionmaker() as session, session.begin():
            assert await incidents_service.sweep(session, incident_id=incident.id) == 1
        assert await linked(sessionmaker, incident.id) == set(ids)
        async with sessionmaker() as session:
            category = await session.scalar(select(Complaint.category).where(Complaint.id == ids[10]))
            count = await session.scalar(select(func.count()).select_from(IncidentComplaint))
        assert (category, count) == ("payment_billing", 11)
