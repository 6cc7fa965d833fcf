"""Sending an incident update to every linked customer, a batch per job, each customer once.

The update row is locked for the batch, so two jobs for one update take turns; a notice row per
(update, complaint), written with the reply, is what makes a re-run skip those already told.
A resolution also resolves each complaint it is sent to.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import lifecycle, replies
from complaint_service.core.clock import utcnow
from complaint_service.core.jobs import enqueue_after_commit, job_id, session_settings
from complaint_service.incidents import repository
from complaint_service.incidents import timeline as incident_timeline
from complaint_service.models import Complaint, Incident, IncidentNotice, IncidentUpdate
from complaint_service.models.enums import Visibility
from complaint_service.models.incident import UpdateKind

NOTIFY = "incidents.notify"


async def _tell(
    session: AsyncSession, *, incident: Incident, update: IncidentUpdate, complaint_id: uuid.UUID
) -> None:
    complaint = await session.get_one(Complaint, complaint_id, with_for_update=True, populate_existing=True)
    if complaint.status not in repository.TOLD:
        return  # closed or reopened meanwhile: no longer one to tell (the next query skips it too)
    context: dict[str, object] = {
        "incident_id": str(incident.id),
        "update_id": str(update.id),
        "kind": update.kind,
    }
    message = await replies.reply(
        session, complaint, body=update.body, actor=update.author, visibility=Visibility.public, data=context
    )
    session.add(IncidentNotice(update_id=update.id, complaint_id=complaint.id, message_id=message.id))
    if update.kind == UpdateKind.resolution.value:
        assert incident.resolution_code is not None  # set with the resolution update, in one transaction
        assert incident.resolution_summary is not None
        await lifecycle.resolve(
            session,
            complaint,
            code=incident.resolution_code,
            summary=incident.resolution_summary,
            actor=update.author,
            data={"incident_id": str(incident.id)},
        )


async def send_batch(session: AsyncSession, *, update_id: uuid.UUID) -> int:
    """Tell the next batch of open linked complaints; the last batch marks the update sent."""
    update = await session.scalar(
        select(IncidentUpdate).where(IncidentUpdate.id == update_id).with_for_update()
    )
    if update is None or update.completed_at is not None:
        return 0
    incident = await session.get_one(Incident, update.incident_id)
    size = session_settings(session).incidents.notice_batch_size
    batch = await repository.unnoticed(session, incident_id=incident.id, update_id=update.id, limit=size)
    for complaint_id in batch:
        await _tell(session, incident=incident, update=update, complaint_id=complaint_id)
    if len(batch) < size:
        update.completed_at = utcnow()
        incident_timeline.record(
            session,
            incident_id=incident.id,
            type="incident.update_sent",
            actor=update.author,
            data={
                "update_id": str(update.id),
                "kind": update.kind,
                "customers_told": await repository.notices_sent(session, update_id=update.id),
            },
        )
    else:
        # The next batch starts after this one commits; its key names where it starts, so it is new.
        enqueue_after_commit(session, NOTIFY, str(update.id), job_key=job_id(NOTIFY, update.id, batch[-1]))
    return len(batch)
