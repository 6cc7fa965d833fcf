"""API shapes for the run-time editable classification rules."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from complaint_service.core.schemas import Schema
from complaint_service.triage.rules import Rule

RULE_EXAMPLE: dict[str, Any] = {
    "id": "sig.legal_threat.zh-Hans",
    "kind": "urgency_signal",
    "phrases": ["12315", "消费者协会", "媒体曝光", "律师"],
    "languages": ["zh-Hans"],
    "weight": 1.0,
    "urgency": "P1",
    "flag": "legal_threat",
    "description": "Threats to go to a regulator, the media or a lawyer",
}


class RuleSetIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rules": [RULE_EXAMPLE], "min_confidence": 0.4}]}
    )

    rules: list[Rule] = Field(min_length=1, max_length=2000)
    min_confidence: float = Field(
        default=0.4, ge=0, le=1, description="Below this, category `other` + review."
    )

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        """Checked here too, so a duplicate is a field error (422) rather than a failed RuleSet build."""
        duplicates = sorted(rule_id for rule_id, count in Counter(r.id for r in rules).items() if count > 1)
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        return rules


class RuleSetOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 2,
                    "min_confidence": 0.4,
                    "rules": [RULE_EXAMPLE],
                    "created_by": "api_key:ops",
                    "created_at": "2026-11-22T08:00:00Z",
                }
            ]
        }
    )

    version: int
    min_confidence: float
    rules: list[Rule]
    created_by: str = Field(description="`shipped defaults` for the rules the service ships with.")
    created_at: datetime | None


class ClassifyIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "支付失败了，钱扣了订单没生成，再不处理就打12315", "tier": "standard"}]
        }
    )

    text: str = Field(min_length=1, max_length=20_000)
    tier: str = Field(default="standard", pattern="^(standard|silver|gold|vip)$")


class MatchOut(Schema):
    rule_id: str
    phrase: str
    start: int
    end: int


class DecisionOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "payment_billing",
                    "urgency": "P1",
                    "confidence": 0.86,
                    "flags": ["legal_threat", "money_lost"],
                    "needs_review": False,
                    "rule_version": 1,
                    "matches": [
                        {"rule_id": "cat.payment_billing.zh-Hans", "phrase": "支付失败", "start": 0, "end": 4}
                    ],
                    "reasons": [
                        "matched '支付失败' (cat.payment_billing.zh-Hans)",
                        "urgency raised to P1 by legal_threat '12315'",
                    ],
                }
            ]
        }
    )

    category: str
    urgency: str
    confidence: float
    flags: list[str]
    needs_review: bool
    rule_version: int
    matches: list[MatchOut]
    reasons: list[str]
