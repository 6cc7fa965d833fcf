"""API bodies for merging, unmerging and linking complaints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from complaint_service.core.schemas import Schema
from complaint_service.matters import examples
from complaint_service.models import Complaint, ComplaintLink, ComplaintMerge
from complaint_service.models.enums import LinkKind, MergeReason
from complaint_service.pii.mask import mask_optional

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.MERGE_IN]})

    into_id: uuid.UUID = Field(description="The complaint that stays: the live ticket of the matter.")
    force: bool = Field(
        default=False,
        description="Merge complaints of different customers (or of no known customer). "
        "Supervisors and above only; without it such a merge is refused with 409.",
    )


class MergeOut(Schema):
    """One merge: which complaint joined which ticket, why, and which messages moved with it."""

    id: uuid.UUID
    source_id: uuid.UUID = Field(description="The merged complaint (closed while merged).")
    source_reference: str
    target_id: uuid.UUID = Field(description="The ticket it joined.")
    target_reference: str
    automatic: bool = Field(description="True when triage merged it; false for an agent's merge.")
    reason: MergeReason
    score: float | None = Field(description="Text similarity (0–1) for `similar_text` merges.")
    message_ids: list[uuid.UUID] = Field(description="The source's messages, now on the target.")
    actor: str
    merged_at: datetime
    unmerged_at: datetime | None
    unmerged_by: str | None

    @classmethod
    def build(cls, record: ComplaintMerge, *, source: Complaint, target: Complaint) -> MergeOut:
        data = {f: getattr(record, f) for f in cls.model_fields if hasattr(record, f)}
        return cls.model_validate(
            data | {"source_reference": source.reference, "target_reference": target.reference}
        )


class ComplaintLinkIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.LINK_IN]})

    related_id: uuid.UUID
    kind: LinkKind = Field(
        default=LinkKind.related,
        description='Read "this complaint is <kind> the related one": `related`, `duplicate`, `repeat_of`, '
        "`follow_up`.",
    )
    note: Note | None = None


class LinkedComplaint(Schema):
    id: uuid.UUID
    reference: str
    status: str
    channel: str
    received_at: datetime


class ComplaintLinkOut(Schema):
    id: uuid.UUID
    kind: LinkKind
    direction: Literal["outgoing", "incoming"] = Field(
        description="`outgoing`: this complaint is <kind> the other; `incoming`: the other is <kind> this."
    )
    other: LinkedComplaint
    note: str | None
    actor: str
    created_at: datetime

    @classmethod
    def build(
        cls, link: ComplaintLink, *, viewer_id: uuid.UUID, other: Complaint, reveal_pii: bool
    ) -> ComplaintLinkOut:
        return cls(
            id=link.id,
            kind=LinkKind(link.kind),
            direction="outgoing" if link.complaint_id == viewer_id else "incoming",
            other=LinkedComplaint.model_validate(other),
            note=link.note if reveal_pii else mask_optional(link.note),
            actor=link.actor,
            created_at=link.created_at,
        )
