"""What an escalation level does: notify a role, hand the complaint up, raise its urgency."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.complaints import timeline
from complaint_service.models import Agent, Complaint
from complaint_service.models.enums import AgentStatus, Urgency
from complaint_service.routing import service as routing_service
from complaint_service.sla import service as sla_service

ACTOR = "system:sla"


def raised(urgency: str | None) -> str:
    order = [u.value for u in Urgency]
    index = order.index(urgency or Urgency.P3.value)
    return order[max(index - 1, 0)]


async def role_holders(session: AsyncSession, department: str | None, role: str) -> list[str]:
    if department is None:
        return []
    rows = await session.scalars(
        select(Agent.id).where(
            Agent.role == role,
            Agent.status == AgentStatus.active.value,
            Agent.departments.contains([department]),
        )
    )
    return [str(agent_id) for agent_id in rows]


async def apply(
    session: AsyncSession, *, complaint: Complaint, level: int, spec: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Returns what was done, for the timeline and the webhook."""
    target = str(spec.get("target", "team_lead"))
    done: dict[str, Any] = {"level": level, "action": spec.get("action", "notify"), "target": target}
    complaint.escalation_level = max(complaint.escalation_level, level)
    done["notified"] = await role_holders(session, complaint.department, target)
    if spec.get("action") == "reassign" and complaint.department is not None:
        department = await routing_service.lock_department(session, complaint.department)
        picked = None
        if department is not None:
            picked = await routing_service.pick_agent(
                session, department=department, complaint=complaint, now=now, roles=(target,)
            )
        if picked is not None:
            agent, _ = picked
            await routing_service.hand_to(
                session,
                complaint=complaint,
                agent=agent,
                now=now,
                actor=ACTOR,
                data={"department": complaint.department, "reason": "escalation", "level": level},
            )
            done["reassigned_to"] = str(agent.id)
        else:
            done["reassigned_to"] = None
    if spec.get("raise_urgency") and complaint.urgency != Urgency.P1.value:
        before, complaint.urgency = complaint.urgency, raised(complaint.urgency)
        done["urgency"] = {"from": before, "to": complaint.urgency}
        await timeline.record(
            session,
            complaint_id=complaint.id,
            type="complaint.urgency_changed",
            actor=ACTOR,
            data={"from": before, "to": complaint.urgency, "reason": "escalation"},
        )
        tier = await sla_service.customer_tier(session, complaint)
        policy = await sla_service.policy_for(session, complaint=complaint, tier=tier)
        await sla_service.recompute(session, complaint=complaint, policy=policy, now=now)
    return done
