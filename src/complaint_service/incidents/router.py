"""Incident API: team leads and above read incidents; supervisors open, link, update and resolve them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from complaint_service.audit.service import Revealed, record_reveals
from complaint_service.auth.dependencies import Supervisor, TeamLead
from complaint_service.complaints.examples import page
from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import NotFound, problem_responses
from complaint_service.core.schemas import Page, decode_cursor, encode_cursor
from complaint_service.incidents import examples, repository, service
from complaint_service.incidents.schemas import (
    IncidentEventOut,
    IncidentIn,
    IncidentOut,
    IncidentUpdateOut,
    LinkIn,
    LinkOut,
    ResolveIn,
    UpdateIn,
)
from complaint_service.models import Incident
from complaint_service.models.enums import Category
from complaint_service.models.incident import IncidentStatus

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=64, description="`next_cursor` of the previous page.")]
READ_PROBLEMS = problem_responses(400, 401, 403, 404, 422, 503)
WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422, 503)


async def _out(session: DbSession, incident: Incident) -> IncidentOut:
    counts = await repository.counts(session, incident_ids=[incident.id])
    return IncidentOut.build(incident, counts[incident.id])


async def _load(session: DbSession, incident_id: uuid.UUID) -> Incident:
    incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return incident


@router.get(
    "",
    summary="List incidents",
    description="Newest first, with counts of linked complaints, distinct customers and their states. "
    "Team lead or above.",
    response_model=Page[IncidentOut],
    responses={**example_response(page(examples.INCIDENT)), **READ_PROBLEMS},
)
async def list_incidents(
    session: DbSession,
    principal: TeamLead,
    status: IncidentStatus | None = None,
    category: Category | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[IncidentOut]:
    rows, last = await repository.page(
        session,
        status=status,
        category=category.value if category else None,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    counts = await repository.counts(session, incident_ids=[i.id for i in rows])
    return Page[IncidentOut](
        items=[IncidentOut.build(i, counts[i.id]) for i in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.post(
    "",
    summary="Open an incident by hand",
    description="Links the given complaints (those already in an incident are left there). New complaints "
    "of the category whose text resembles the title, description or linked complaints join it as they are "
    "triaged. Subscribers receive `incident.opened`. Supervisor or above.",
    status_code=status.HTTP_201_CREATED,
    response_model=IncidentOut,
    responses={
        **example_response(examples.INCIDENT | {"automatic": False}, status=201),
        **WRITE_PROBLEMS,
    },
)
async def open_incident(
    session: DbSession, principal: Supervisor, body: IncidentIn, response: Response
) -> IncidentOut:
    incident = await service.open_incident(
        session,
        title=body.title,
        category=body.category.value,
        description=body.description,
        app_version=body.app_version,
        product_sku=body.product_sku,
        complaint_ids=list(dict.fromkeys(body.complaint_ids)),
        actor=principal.actor,
    )
    response.headers["Location"] = f"/v1/incidents/{incident.id}"
    return await _out(session, incident)


@router.get(
    "/{incident_id}",
    summary="Get one incident with its counts",
    response_model=IncidentOut,
    responses={**example_response(examples.INCIDENT), **READ_PROBLEMS},
)
async def get_incident(session: DbSession, principal: TeamLead, incident_id: uuid.UUID) -> IncidentOut:
    return await _out(session, await _load(session, incident_id))


@router.get(
    "/{incident_id}/complaints",
    summary="List an incident's complaints, oldest first",
    description="People below supervisor see the linked complaints of their own departments only.",
    response_model=Page[ComplaintOut],
    responses={**example_response(page(examples.LINKED_COMPLAINT)), **READ_PROBLEMS},
)
async def list_incident_complaints(
    request: Request,
    session: DbSession,
    principal: TeamLead,
    incident_id: uuid.UUID,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ComplaintOut]:
    await _load(session, incident_id)
    rows, last = await repository.complaints_page(
        session,
        incident_id=incident_id,
        departments=principal.visible_departments,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    await record_reveals(
        session,
        principal,
        request,
        resource="complaint",
        items=[
            Revealed(complaint_id=c.id, customer_id=c.customer_id, texts=(c.subject, c.body))
            for c in rows
            if c.has_pii
        ],
    )
    return Page[ComplaintOut](
        items=[ComplaintOut.build(c, reveal_pii=principal.sees_pii) for c in rows],
        next_cursor=encode_cursor(last) if last else None,
    )


@router.post(
    "/{incident_id}/complaints",
    summary="Link complaints to an incident by hand",
    description="Complaints already in an incident are skipped and listed as such. 409 when the incident "
    "is resolved. Supervisor or above.",
    response_model=LinkOut,
    responses={**example_response(examples.LINKED), **WRITE_PROBLEMS},
)
async def link_complaints(
    session: DbSession, principal: Supervisor, incident_id: uuid.UUID, body: LinkIn
) -> LinkOut:
    wanted = list(dict.fromkeys(body.complaint_ids))
    linked = await service.link_by_hand(
        session, incident_id=incident_id, complaint_ids=wanted, actor=principal.actor
    )
    done = set(linked)
    return LinkOut(linked=linked, skipped=[c for c in wanted if c not in done])


@router.delete(
    "/{incident_id}/complaints/{complaint_id}",
    summary="Unlink a complaint from an incident",
    description="It no longer receives the incident's updates or resolution; both timelines record the "
    "unlinking. 409 when the incident is resolved. Supervisor or above.",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRITE_PROBLEMS,
)
async def unlink_complaint(
    session: DbSession, principal: Supervisor, incident_id: uuid.UUID, complaint_id: uuid.UUID
) -> None:
    await service.unlink(session, incident_id=incident_id, complaint_id=complaint_id, actor=principal.actor)


@router.get(
    "/{incident_id}/timeline",
    summary="Get an incident's timeline, oldest first",
    description="Opening, complaints linked and unlinked, updates posted and sent, resolution.",
    response_model=Page[IncidentEventOut],
    responses={**example_response(page(examples.EVENT)), **READ_PROBLEMS},
)
async def get_incident_timeline(
    session: DbSession,
    principal: TeamLead,
    incident_id: uuid.UUID,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[IncidentEventOut]:
    await _load(session, incident_id)
    rows = await repository.events_page(
        session, incident_id=incident_id, after=decode_cursor(cursor) if cursor else None, limit=limit
    )
    return Page[IncidentEventOut](
        items=[IncidentEventOut.build(e) for e in rows],
        next_cursor=encode_cursor(rows[-1].id) if len(rows) == limit else None,
    )


@router.post(
    "/{incident_id}/updates",
    summary="Post an update to every affected customer",
    description="Sent as a public reply to the customer of every open linked complaint, on the channel "
    "they complained on, by the workers in batches; each customer receives each update once, also when "
    "sending is retried. `completed_at` is set once all were sent. Subscribers receive `incident.updated`. "
    "409 when the incident is resolved. Supervisor or above.",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IncidentUpdateOut,
    responses={**example_response(examples.UPDATE, status=202), **WRITE_PROBLEMS},
)
async def post_incident_update(
    session: DbSession, principal: Supervisor, incident_id: uuid.UUID, body: UpdateIn
) -> IncidentUpdateOut:
    update = await service.post_update(
        session, incident_id=incident_id, body=body.body, actor=principal.actor
    )
    return IncidentUpdateOut.build(update)


@router.post(
    "/{incident_id}/resolve",
    summary="Resolve an incident and its complaints",
    description="Marks the incident resolved; the workers then send `announcement` once to the customer of "
    "every open linked complaint and resolve each with `code` and `summary`. Subscribers receive "
    "`incident.resolved`. 409 when already resolved. Supervisor or above.",
    response_model=IncidentOut,
    responses={**example_response(examples.RESOLVED), **WRITE_PROBLEMS},
)
async def resolve_incident(
    session: DbSession, principal: Supervisor, incident_id: uuid.UUID, body: ResolveIn
) -> IncidentOut:
    incident = await service.resolve(
        session,
        incident_id=incident_id,
        code=body.code.value,
        summary=body.summary,
        announcement=body.announcement,
        actor=principal.actor,
    )
    return await _out(session, incident)
