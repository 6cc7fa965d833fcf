"""Read models of a customer (identities, complaints, history) and the tier change."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from complaint_service.compensation.schemas import CompensationTotals
from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.schemas import Schema
from complaint_service.models import CustomerIdentity
from complaint_service.models.enums import CustomerTier
from complaint_service.pii.mask import mask_identity
from complaint_service.surveys.schemas import CsatOut


class IdentityOut(Schema):
    kind: str
    value: str
    created_at: datetime

    @classmethod
    def build(cls, identity: CustomerIdentity, *, reveal_pii: bool) -> IdentityOut:
        value = identity.value if reveal_pii else mask_identity(identity.kind, identity.value)
        return cls(kind=identity.kind, value=value, created_at=identity.created_at)


class CustomerOut(Schema):
    id: uuid.UUID
    display_name: str | None
    tier: str
    created_at: datetime
    version: int = Field(description="Also the `ETag`; send it as `If-Match` when you change the customer.")
    identities: list[IdentityOut]
    complaints: list[ComplaintOut]
    complaints_next_cursor: str | None


class CustomerPatch(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tier": "vip"}]})

    tier: CustomerTier = Field(
        description="Routing rules and SLA policies match on it, and gold and VIP raise urgency, from the "
        "customer's next complaint (and when one of theirs is reopened)."
    )


class ComplaintBrief(Schema):
    """A complaint in a customer's history: what happened to it, without its text."""

    id: uuid.UUID
    reference: str
    channel: str
    status: str
    category: str | None
    urgency: str | None
    department: str | None
    flags: list[str]
    repeat_of_id: uuid.UUID | None
    escalation_level: int
    reopen_count: int
    resolution_code: str | None
    received_at: datetime
    resolved_at: datetime | None
    survey_score: int | None = Field(description="The customer's latest satisfaction answer for it.")


class ComplaintCountsOut(Schema):
    total: int
    open: int
    repeats: int = Field(description="Complaints flagged `repeat`: the same matter again after a resolution.")
    reopened: int
    second_handling: int = Field(description="Reopened after an unsatisfied survey answer.")


class CustomerHistory(Schema):
    """Only complaints the caller may see are counted and listed (their departments, or all)."""

    customer_id: uuid.UUID
    tier: str
    counts: ComplaintCountsOut
    complaints: list[ComplaintBrief] = Field(description="Newest first.")
    complaints_next_cursor: str | None
    satisfaction: CsatOut
    compensation: CompensationTotals
