"""Compensation bodies: a proposal, the decisions on it, and how it reads back."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from complaint_service.complaints.commands import Reason
from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.fields import Currency
from complaint_service.models import Compensation
from complaint_service.models.enums import CompensationKind
from complaint_service.pii.mask import mask_optional

Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class CompensationIn(Schema):
    """Points are a whole number in `points`; coupons, refunds and gifts a value in `amount` `currency`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "refund", "amount": "49.00", "currency": "CNY", "note": "重复扣款原路退回"},
                {
                    "kind": "coupon",
                    "amount": "300",
                    "currency": "CNY",
                    "note": "VIP 客户延误补偿，需主管审批",
                },
                {"kind": "points", "points": 500, "note": "Apology for the delayed delivery"},
            ]
        },
    )

    kind: CompensationKind
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    currency: Currency | None = Field(default=None, description="ISO 4217, e.g. CNY; with `amount`.")
    points: int | None = Field(default=None, gt=0, le=100_000_000)
    note: Reason | None = None

    @model_validator(mode="after")
    def _one_kind_of_value(self) -> Self:
        if self.kind is CompensationKind.points:
            if self.points is None or self.amount is not None or self.currency is not None:
                raise ValueError("points compensation takes `points` and no `amount` or `currency`")
        elif self.amount is None or self.currency is None or self.points is not None:
            raise ValueError(f"{self.kind.value} compensation takes `amount` and `currency`, and no `points`")
        return self


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "同意，客户为VIP"}]})

    note: Reason | None = None


class GrantIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reference": "COUPON-8F3K-2QX9"}]}
    )

    reference: Reference | None = Field(
        default=None, description="Coupon code, refund transaction or shipment id, for the record."
    )


class CancelIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "customer declined the coupon"}]}
    )

    reason: Reason


class CompensationOut(Schema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    kind: str
    amount: Decimal | None
    currency: str | None
    points: int | None
    note: str | None = Field(description="Masked unless the caller has `pii:read`.")
    status: str = Field(
        description="`offered` (grantable) or `pending_approval` → `approved` / `rejected`; then `granted`, "
        "or `cancelled` before that."
    )
    needs_approval: bool = Field(
        description="Above the configured limit when proposed: a supervisor decides."
    )
    proposed_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    granted_by: str | None
    granted_at: datetime | None
    grant_reference: str | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Also the `ETag`; may be sent as `If-Match` with a decision.")

    @classmethod
    def build(cls, compensation: Compensation, *, reveal_pii: bool) -> CompensationOut:
        out = cls.model_validate(compensation)
        if reveal_pii:
            return out
        return out.model_copy(
            update={"note": mask_optional(out.note), "decision_note": mask_optional(out.decision_note)}
        )


class MoneyTotal(Schema):
    currency: str
    amount: Decimal


class CompensationTotals(Schema):
    granted: list[MoneyTotal] = Field(description="Granted coupons, refunds and gifts per currency.")
    granted_points: int
    open: int = Field(description="Offered, waiting for approval or approved, not granted yet.")
