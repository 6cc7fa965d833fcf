"""Mass incidents: detecting them in triage, linking complaints, and opening, updating, resolving them.

Detection runs for every classified complaint, cheaply: it reads the few open incidents of its
category and, when none takes the report, the recent unlinked complaints of the category (an id
range on an existing index); only when enough distinct customers match does it take the category's
advisory lock and look again, so two workers seeing the same outage at once open one incident, not
two. A complaint whose triage was still running when the incident opened is linked by a sweep
shortly after.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline as complaint_timeline
from complaint_service.core import locks
from complaint_service.core.clock import utcnow
from complaint_service.core.db import table_of
from complaint_service.core.ids import uuid7
from complaint_service.core.jobs import enqueue_after_commit, job_id, session_settings
from complaint_service.core.problems import Conflict, NotFound
from complaint_service.incidents import matching, repository
from complaint_service.incidents import timeline as incident_timeline
from complaint_service.incidents.notices import NOTIFY
from complaint_service.incidents.repository import Report
from complaint_service.models import Complaint, Incident, IncidentComplaint, IncidentUpdate
from complaint_service.models.incident import IncidentStatus, UpdateKind
from complaint_service.outbound import service as outbound_service
from complaint_service.outbound.events import EventType
from complaint_service.pii.mask import mask_text
from complaint_service.settings import IncidentConfig

ACTOR = "system:incidents"
SWEEP = "incidents.sweep"
SAMPLES = 10  # first and latest linked complaints compared, each
_LOCK = "incidents.category"
_TITLE_CHARS = 80


def _config(session: AsyncSession) -> IncidentConfig:
    return session_settings(session).incidents


# Executemany of one statement built once: a multi-row VALUES would be compiled anew for every count.
_LINKS = table_of(IncidentComplaint)
_LINK = (
    pg_insert(_LINKS).on_conflict_do_nothing(index_elements=["complaint_id"]).returning(_LINKS.c.complaint_id)
)


async def link(
    session: AsyncSession, *, incident: Incident, complaint_ids: Sequence[uuid.UUID], actor: str
) -> list[uuid.UUID]:
    """Link the complaints not yet in any incident; returns those linked now (the others are left)."""
    return await link_many(session, groups=[(incident, complaint_ids)], actor=actor)


async def link_many(
    session: AsyncSession,
    *,
    groups: Sequence[tuple[Incident, Sequence[uuid.UUID]]],
    actor: str,
) -> list[uuid.UUID]:
    """`link` for several incidents in one INSERT: a triage batch during an outage links to several."""
    pairs = [(incident, c) for incident, complaint_ids in groups for c in complaint_ids]
    if not pairs:
        return []
    rows = [{"complaint_id": c, "incident_id": incident.id, "linked_by": actor} for incident, c in pairs]
    linked = set(await session.scalars(_LINK, rows))
    events: list[tuple[uuid.UUID, str, dict[str, Any]]] = []
    for incident, complaint_ids in groups:
        mine = [c for c in complaint_ids if c in linked]
        if not mine:
            continue
        incident_timeline.record(
            session,
            incident_id=incident.id,
            type="incident.complaints_linked",
            actor=actor,
            data={"complaint_ids": [str(c) for c in mine]},
        )
        about = {"incident_id": str(incident.id), "title": incident.title}
        events.extend((c, "incident.linked", about) for c in mine)
    await complaint_timeline.record_many(session, events=events, actor=actor)
    return [c for _, c in pairs if c in linked]


async def _open(
    session: AsyncSession,
    *,
    title: str,
    category: str,
    description: str | None,
    app_version: str | None,
    product_sku: str | None,
    actor: str,
    automatic: bool,
) -> Incident:
    now = utcnow()
    incident = Incident(
        id=uuid7(),
        created_at=now,
        updated_at=now,
        title=title,
        description=description,
        category=category,
        app_version=app_version,
        product_sku=product_sku,
        automatic=automatic,
        opened_by=actor,
    )
    session.add(incident)
    await session.flush()  # the links reference it
    return incident


async def _announce_opened(
    session: AsyncSession, incident: Incident, *, complaints: int, customers: int
) -> None:
    """On the timeline before the links, so it reads in order; to subscribers with the counts."""
    data = {
        "incident_id": str(incident.id),
        "title": incident.title,
        "category": incident.category,
        "automatic": incident.automatic,
        "complaints": complaints,
        "customers": customers,
    }
    incident_timeline.record(
        session, incident_id=incident.id, type="incident.opened", actor=incident.opened_by, data=data
    )
    await outbound_service.publish(
        session, complaint_id=None, event_type=EventType.incident_opened.value, data=data
    )


def _auto_title(category: str, report: Report) -> str:
    """Built from the report that tipped the count, masked: supervisors' lists must not show PII."""
    words = " ".join(mask_text(report.subject or report.body).split())
    cut = words[:_TITLE_CHARS] + ("…" if len(words) > _TITLE_CHARS else "")
    return f"{category}: {cut}"


class Detector:
    """Detection for the complaints one unit of work triages (a batch of them, or one).

    The open incidents of the batch's categories are read in one query, their samples in one more
    when a report first needs them, and the links are written in one INSERT by `flush`; the
    categories' recent candidates are read once each. A complaint looked at earlier in the unit of
    work is a candidate for the later ones, as it would have been had it been committed first.
    """

    def __init__(self, session: AsyncSession, *, categories: Collection[str] = ()) -> None:
        self._session = session
        self._config = _config(session)
        self._categories = set(categories)
        self._open: dict[str, list[Incident]] = {}
        self._samples: dict[uuid.UUID, list[Report]] = {}
        self._stored: dict[str, list[Report]] = {}  # committed candidates, per category
        self._earlier: dict[str, list[Report]] = {}  # this unit of work's, newest first
        self._seen: set[uuid.UUID] = set()
        self._joining: dict[uuid.UUID, tuple[Incident, list[uuid.UUID]]] = {}  # linked by `flush`

    async def _incidents(self, category: str, *, fresh: bool = False) -> list[Incident]:
        if fresh or category not in self._open:
            wanted = {category} if fresh else self._categories - set(self._open) | {category}
            found = await repository.open_incidents(self._session, categories=wanted)
            for each in wanted:
                self._open[each] = [incident for incident in found if incident.category == each]
        return self._open[category]

    async def _find_open(self, report: Report, category: str, *, fresh: bool = False) -> Incident | None:
        """As `matching.belongs`, reading an incident's samples only when its build and own words do not
        settle it (an automatic incident is titled after the report that opened it)."""
        for incident in await self._incidents(category, fresh=fresh):
            decided = matching.by_build(report, incident)
            if decided is None:
                decided = matching.resembles_any(
                    report, [matching.headline(incident)], config=self._config
                ) or matching.resembles_any(report, await self._samples_of(incident), config=self._config)
            if decided:
                return incident
        return None

    async def _samples_of(self, incident: Incident) -> list[Report]:
        """Read for every open incident known so far that lacks them, so a batch reads them once."""
        if incident.id not in self._samples:
            lacking = {i.id for each in self._open.values() for i in each if i.id not in self._samples}
            self._samples.update(
                await repository.samples(self._session, incident_ids=lacking | {incident.id}, limit=SAMPLES)
            )
        return self._samples[incident.id]

    async def _candidates(self, category: str) -> list[Report]:
        if category not in self._stored:
            self._stored[category] = await repository.unlinked_recent(
                self._session,
                category=category,
                since=utcnow() - timedelta(seconds=self._config.window_seconds),
                exclude=None,
                limit=self._config.max_candidates,
            )
        stored = [c for c in self._stored[category] if c.id not in self._seen]
        return [*self._earlier.get(category, []), *stored][: self._config.max_candidates]

    def _linked(self, category: str, complaint_ids: Sequence[uuid.UUID]) -> None:
        gone = set(complaint_ids)
        self._earlier[category] = [c for c in self._earlier.get(category, []) if c.id not in gone]
        self._stored[category] = [c for c in self._stored.get(category, []) if c.id not in gone]

    async def link_or_detect(self, complaint: Complaint) -> Incident | None:
        """Link a classified complaint to the open incident it belongs to, or open one when it completes a
        cluster: at least `min_customers` distinct customers with resembling reports in the window."""
        config, session = self._config, self._session
        category = complaint.category
        if not config.enabled or category is None or category in config.ignored_categories:
            return None
        report = repository.report_of(complaint)
        self._seen.add(report.id)
        # During an outage nearly every report joins the open incident: that look comes first, and the
        # candidates (up to `max_candidates` reports, each compared) are read only when it fails. An
        # incident committed between the two reads took its reports out of the candidates, so this one
        # may fall short of the count and stay unlinked: that is a triage overlapping the opening, and
        # the incident's sweep (`sweep_delay_seconds` after it opened) links it.
        incident = await self._find_open(report, category)
        if incident is not None:
            self._joining.setdefault(incident.id, (incident, []))[1].append(complaint.id)
            return incident
        candidates = await self._candidates(category)
        cluster = [report, *(c for c in candidates if matching.resembles(report, c, config=config))]
        customers = {c.customer for c in cluster}
        if len(customers) < config.min_customers:
            self._earlier.setdefault(category, []).insert(0, report)
            return None
        await locks.lock(session, _LOCK, category)
        # Whoever held the lock before may have opened this very incident: look again, now it is committed.
        incident = await self._find_open(report, category, fresh=True)
        opened = incident is None
        if incident is None:
            incident = await _open(
                session,
                title=_auto_title(category, report),
                category=category,
                description=None,
                app_version=matching.shared(c.app_version for c in cluster),
                product_sku=matching.shared(c.product_sku for c in cluster),
                actor=ACTOR,
                automatic=True,
            )
            self._open[category].append(incident)
            await _announce_opened(session, incident, complaints=len(cluster), customers=len(customers))
        linked = await link(session, incident=incident, complaint_ids=[c.id for c in cluster], actor=ACTOR)
        self._linked(category, linked)
        self._samples.pop(incident.id, None)
        if opened:
            enqueue_after_commit(
                session,
                SWEEP,
                str(incident.id),
                defer_until=utcnow() + timedelta(seconds=config.sweep_delay_seconds),
            )
        return incident

    async def flush(self) -> None:
        """Link the complaints found to belong to open incidents: one INSERT and one incident event per
        incident for the whole unit of work (during an outage, that is nearly every complaint)."""
        joining, self._joining = self._joining, {}
        await link_many(self._session, groups=list(joining.values()), actor=ACTOR)


async def sweep(session: AsyncSession, *, incident_id: uuid.UUID) -> int:
    """Link the stragglers: complaints whose triage overlapped the incident's opening and so missed it."""
    incident = await session.get(Incident, incident_id)
    if incident is None or incident.status != IncidentStatus.open.value:
        return 0
    config = _config(session)
    samples = (await repository.samples(session, incident_ids=[incident.id], limit=SAMPLES))[incident.id]
    candidates = await repository.unlinked_recent(
        session,
        category=incident.category,
        since=incident.created_at - timedelta(seconds=config.window_seconds),
        exclude=None,
        limit=config.max_candidates,
    )
    belonging = [c.id for c in candidates if matching.belongs(c, incident, samples, config=config)]
    return len(await link(session, incident=incident, complaint_ids=belonging, actor=ACTOR))


async def open_incident(
    session: AsyncSession,
    *,
    title: str,
    category: str,
    description: str | None,
    app_version: str | None,
    product_sku: str | None,
    complaint_ids: Sequence[uuid.UUID],
    actor: str,
) -> Incident:
    """A supervisor's incident; new complaints resembling its title, description or linked ones join it."""
    incident = await _open(
        session,
        title=title,
        category=category,
        description=description,
        app_version=app_version,
        product_sku=product_sku,
        actor=actor,
        automatic=False,
    )
    await _existing(session, complaint_ids)
    customers = await repository.distinct_senders(session, complaint_ids=complaint_ids)
    await _announce_opened(session, incident, complaints=len(complaint_ids), customers=customers)
    await link(session, incident=incident, complaint_ids=complaint_ids, actor=actor)
    return incident


async def _existing(session: AsyncSession, complaint_ids: Sequence[uuid.UUID]) -> None:
    found = set(await session.scalars(select(Complaint.id).where(Complaint.id.in_(complaint_ids))))
    missing = [str(c) for c in complaint_ids if c not in found]
    if missing:
        raise NotFound(f"No complaints {', '.join(missing)}.")


async def load_open(session: AsyncSession, *, incident_id: uuid.UUID) -> Incident:
    incident = await repository.incident_for_update(session, incident_id=incident_id)
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    if incident.status != IncidentStatus.open.value:
        raise Conflict("The incident is resolved; open a new one for a new outage.")
    return incident


async def link_by_hand(
    session: AsyncSession, *, incident_id: uuid.UUID, complaint_ids: Sequence[uuid.UUID], actor: str
) -> list[uuid.UUID]:
    incident = await load_open(session, incident_id=incident_id)
    await _existing(session, complaint_ids)
    return await link(session, incident=incident, complaint_ids=complaint_ids, actor=actor)


async def unlink(
    session: AsyncSession, *, incident_id: uuid.UUID, complaint_id: uuid.UUID, actor: str
) -> None:
    """The link goes; both timelines keep that it existed and who removed it."""
    incident = await load_open(session, incident_id=incident_id)
    removed = await session.scalar(
        delete(IncidentComplaint)
        .where(IncidentComplaint.incident_id == incident.id, IncidentComplaint.complaint_id == complaint_id)
        .returning(IncidentComplaint.complaint_id)
    )
    if removed is None:
        raise NotFound(f"Complaint {complaint_id} is not linked to incident {incident_id}.")
    incident_timeline.record(
        session,
        incident_id=incident.id,
        type="incident.complaint_unlinked",
        actor=actor,
        data={"complaint_id": str(complaint_id)},
    )
    await complaint_timeline.record(
        session,
        complaint_id=complaint_id,
        type="incident.unlinked",
        actor=actor,
        data={"incident_id": str(incident.id)},
    )


async def _queue_update(
    session: AsyncSession, incident: Incident, *, kind: UpdateKind, body: str, actor: str
) -> IncidentUpdate:
    update = IncidentUpdate(
        id=uuid7(), incident_id=incident.id, kind=kind.value, body=body, author=actor, created_at=utcnow()
    )
    session.add(update)
    await session.flush()
    enqueue_after_commit(session, NOTIFY, str(update.id), job_key=job_id(NOTIFY, update.id, "first"))
    return update


async def post_update(
    session: AsyncSession, *, incident_id: uuid.UUID, body: str, actor: str
) -> IncidentUpdate:
    """Progress news: sent to the customer of every open linked complaint, by a job, in batches."""
    incident = await load_open(session, incident_id=incident_id)
    update = await _queue_update(session, incident, kind=UpdateKind.update, body=body, actor=actor)
    data = {"incident_id": str(incident.id), "update_id": str(update.id), "body": body}
    incident_timeline.record(
        session, incident_id=incident.id, type="incident.update_posted", actor=actor, data=data
    )
    await outbound_service.publish(
        session, complaint_id=None, event_type=EventType.incident_updated.value, data=data
    )
    return update


async def resolve(
    session: AsyncSession, *, incident_id: uuid.UUID, code: str, summary: str, announcement: str, actor: str
) -> Incident:
    """The outage is over: each open linked complaint is told so once, and resolved with the code."""
    incident = await load_open(session, incident_id=incident_id)
    incident.status, incident.resolved_at, incident.resolved_by = (
        IncidentStatus.resolved.value,
        utcnow(),
        actor,
    )
    incident.resolution_code, incident.resolution_summary = code, summary
    update = await _queue_update(
        session, incident, kind=UpdateKind.resolution, body=announcement, actor=actor
    )
    data = {
        "incident_id": str(incident.id),
        "update_id": str(update.id),
        "resolution_code": code,
        "summary": summary,
        "announcement": announcement,
    }
    incident_timeline.record(
        session, incident_id=incident.id, type="incident.resolved", actor=actor, data=data
    )
    await outbound_service.publish(
        session, complaint_id=None, event_type=EventType.incident_resolved.value, data=data
    )
    await session.flush()
    await session.refresh(incident)  # updated_at and version were set by the UPDATE
    return incident
