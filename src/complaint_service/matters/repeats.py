"""Repeat complaints: what makes one a repeat, whether triage found it or a person marked it.

The repeat rate supervisors watch counts the `repeat` flag, so a repeat a person recognises (a
`repeat_of` link) is flagged and raised like one found at triage; unlinking it takes the mark off.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import handling, lifecycle, timeline
from complaint_service.core.problems import Conflict
from complaint_service.models import Complaint
from complaint_service.models.enums import ComplaintFlag, Urgency
from complaint_service.outbound import service as outbound_service
from complaint_service.sla.escalation import raised


def make_repeat(complaint: Complaint, earlier: Complaint) -> None:
    """Points at `earlier`, flagged, one escalation level above it if it was a repeat too.

    Urgency is the caller's: triage raises it before the clocks start, a person's mark re-times them.
    """
    complaint.repeat_of_id = earlier.id
    complaint.flags = sorted({*complaint.flags, ComplaintFlag.repeat.value})
    if earlier.repeat_of_id is not None:
        complaint.escalation_level = max(complaint.escalation_level, earlier.escalation_level + 1)


async def mark_by_hand(
    session: AsyncSession, *, complaint: Complaint, earlier: Complaint, actor: str
) -> None:
    """A person says `complaint` repeats `earlier`; nothing changes if it was already a repeat.

    While open it is raised one urgency level (its clocks re-timed) and keeps its department and
    assignee: someone is already on it, unlike a new complaint that triage routes back.
    """
    if complaint.repeat_of_id is not None:
        return
    if earlier.received_at > complaint.received_at:
        raise Conflict(
            f"{complaint.reference} cannot repeat {earlier.reference}, which was received after it; "
            "link the other way round."
        )
    make_repeat(complaint, earlier)
    before = complaint.urgency
    if complaint.status in lifecycle.OPEN:
        await handling.change_urgency(
            session,
            complaint,
            Urgency(raised(complaint.urgency)),
            actor=actor,
            reason=f"repeat of {earlier.reference}",
        )
    reference = complaint.reference
    data: dict[str, Any] = {
        "repeat_of_id": str(earlier.id),
        "repeat_of_reference": earlier.reference,
        "urgency": {"from": before, "to": complaint.urgency},
        "escalation_level": complaint.escalation_level,
        "earlier_was_repeat": earlier.repeat_of_id is not None,
    }
    await timeline.record_many(
        session,
        events=[
            (complaint.id, "complaint.marked_repeat", data),
            (earlier.id, "complaint.repeated", {"complaint_id": str(complaint.id), "reference": reference}),
        ],
        actor=actor,
    )
    await outbound_service.publish(
        session,
        complaint_id=complaint.id,
        event_type="complaint.repeat",
        data={"reference": reference, "marked_by": actor, **data},
    )


async def unmark_by_hand(session: AsyncSession, *, complaint: Complaint, actor: str) -> None:
    """Its `repeat_of` link was removed: no longer a repeat. Urgency stays where it is (a person
    can lower it), and so does the escalation level, which may have paged someone already."""
    earlier_id, complaint.repeat_of_id = complaint.repeat_of_id, None
    complaint.flags = [flag for flag in complaint.flags if flag != ComplaintFlag.repeat.value]
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="complaint.repeat_cleared",
        actor=actor,
        data={"repeat_of_id": str(earlier_id)},
    )
