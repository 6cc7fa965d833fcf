"""Abuse review queue and sender blocks as the API shows them; masked unless the caller sees PII."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.clock import utcnow
from complaint_service.core.schemas import Schema
from complaint_service.models import AbuseReview, Complaint, SenderBlock
from complaint_service.models.abuse import AbuseReason, ReviewStatus
from complaint_service.pii.mask import mask_text

SENDER_DESCRIPTION = (
    "Who sent it: `customer:<id>` for a known customer, else `<channel>:<author as the channel names them>`."
)


def _sender(sender_key: str | None, *, reveal_pii: bool) -> str | None:
    return sender_key if reveal_pii or sender_key is None else mask_text(sender_key)


class AbuseReviewOut(Schema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    sender_key: str | None = Field(description=SENDER_DESCRIPTION)
    reasons: list[AbuseReason]
    details: dict[str, Any] = Field(
        description="What screening counted: `similar_in_window`, `complaints_in_window`, `window_seconds`."
    )
    status: ReviewStatus
    block_id: uuid.UUID | None = Field(description="The sender block this review imposed or fell under.")
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    complaint: ComplaintOut

    @classmethod
    def build(cls, review: AbuseReview, complaint: Complaint, *, reveal_pii: bool) -> AbuseReviewOut:
        return cls(
            id=review.id,
            complaint_id=review.complaint_id,
            sender_key=_sender(review.sender_key, reveal_pii=reveal_pii),
            reasons=[AbuseReason(r) for r in review.reasons],
            details=review.details,
            status=ReviewStatus(review.status),
            block_id=review.block_id,
            created_at=review.created_at,
            decided_at=review.decided_at,
            decided_by=review.decided_by,
            note=review.note,
            complaint=ComplaintOut.build(complaint, reveal_pii=reveal_pii),
        )


class ConfirmIn(Schema):
    note: str | None = Field(default=None, max_length=2000, examples=["同一内容 10 分钟内发送 30 次"])
    block_hours: float | None = Field(
        default=None,
        gt=0,
        le=24 * 366,
        description="How long the sender stays blocked; the configured default (7 days) when left out.",
        examples=[72],
    )


class ReleaseIn(Schema):
    note: str | None = Field(default=None, max_length=2000, examples=["客户确实在反映真实问题"])


class SenderBlockOut(Schema):
    id: uuid.UUID
    sender_key: str = Field(description=SENDER_DESCRIPTION)
    customer_id: uuid.UUID | None
    reason: str
    complaint_id: uuid.UUID | None = Field(description="The reviewed complaint whose confirmation blocked.")
    created_by: str
    created_at: datetime
    expires_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    active: bool = Field(description="Neither lifted nor expired.")

    @classmethod
    def build(cls, block: SenderBlock, *, reveal_pii: bool) -> SenderBlockOut:
        return cls(
            id=block.id,
            sender_key=_sender(block.sender_key, reveal_pii=reveal_pii) or "",
            customer_id=block.customer_id,
            reason=block.reason if reveal_pii else mask_text(block.reason),
            complaint_id=block.complaint_id,
            created_by=block.created_by,
            created_at=block.created_at,
            expires_at=block.expires_at,
            lifted_at=block.lifted_at,
            lifted_by=block.lifted_by,
            active=block.lifted_at is None and block.expires_at > utcnow(),
        )
