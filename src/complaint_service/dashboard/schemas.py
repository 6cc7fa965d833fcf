"""The dashboard's list of complaints needing a supervisor: no personal data, so nothing to mask."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from complaint_service.core.schemas import Schema


class AttentionItem(Schema):
    id: uuid.UUID
    reference: str
    status: str
    category: str | None
    urgency: str | None
    department: str | None
    assignee_id: uuid.UUID | None
    escalation_level: int = Field(description="0: not escalated.")
    breached: list[str] = Field(
        description="Kinds of the complaint's SLA clocks that passed their due time and are still unmet "
        "(first_response, next_response, periodic_update, resolution)."
    )
    received_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None


class Attention(Schema):
    total: int = Field(description="Open complaints that breached an SLA promise or were escalated.")
    items: list[AttentionItem] = Field(description="The most urgent first, then the oldest.")
