"""What a collaboration request's warning or breach says when the SLA firing job fires it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import CollaborationRequest
from complaint_service.models.enums import ActionKind, AgentRole
from complaint_service.sla import escalation

EVENT_TYPES = {
    ActionKind.warning.value: "collaboration.warning",
    ActionKind.breach.value: "collaboration.breached",
}


async def fired_events(
    session: AsyncSession, *, fired: Sequence[tuple[Any, dict[str, Any]]]
) -> list[tuple[uuid.UUID, str, dict[str, Any]]]:
    """(complaint id, event type, data) for each claimed action with its SLA event data.

    Reads the requests without locking them: the firing job already holds the actions, and an answer
    locks the request before the actions, so taking the request here could deadlock with it. A breach
    names the team leads of the department asked, who are told through the event and its webhook.
    """
    clock_ids = {action.clock_id for action, _ in fired}
    requests = {
        row.clock_id: row
        for row in await session.execute(
            select(
                CollaborationRequest.id,
                CollaborationRequest.clock_id,
                CollaborationRequest.from_department,
                CollaborationRequest.to_department,
            ).where(CollaborationRequest.clock_id.in_(clock_ids))
        )
    }
    leads: dict[str, list[str]] = {}
    events = []
    for action, data in fired:
        request = requests[action.clock_id]
        details = {
            **data,
            "request_id": str(request.id),
            "from_department": request.from_department,
            "to_department": request.to_department,
        }
        if action.kind == ActionKind.breach.value:
            if request.to_department not in leads:
                leads[request.to_department] = await escalation.role_holders(
                    session, request.to_department, AgentRole.team_lead.value
                )
            details["notified"] = leads[request.to_department]
        events.append((action.complaint_id, EVENT_TYPES[action.kind], details))
    return events
