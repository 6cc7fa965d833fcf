"""rule_matches: every condition a rule sets must hold; phrases match folded substrings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pytest

from complaint_service.routing.rules import rule_matches

WECHAT_PAYMENT = {
    "category": "payment_billing",
    "urgency": "P2",
    "channel": "wechat",
    "tier": "vip",
    "flags": ["money_lost"],
    "text": "支付失败\n订单202611220001付款后显示未支付，钱已经扣了。",
}


def matches(conditions: Mapping[str, Any], **overrides: Any) -> bool:
    complaint: dict[str, Any] = {**WECHAT_PAYMENT, **overrides}
    flags: Collection[str] = complaint.pop("flags")
    return rule_matches(conditions, flags=flags, **complaint)


class TestRuleMatches:
    def test_no_conditions_match_every_complaint(self) -> None:
        assert matches({})
        assert matches({}, category=None, urgency=None, flags=[], text="")

    def test_empty_lists_place_no_condition(self) -> None:
        assert matches({"categories": [], "channels": [], "flags": [], "phrases": []})

    @pytest.mark.parametrize(
        ("conditions", "expected"),
        [
            ({"categories": ["payment_billing", "refund_return"]}, True),
            ({"categories": ["delivery_logistics"]}, False),
            ({"urgencies": ["P1", "P2"]}, True),
            ({"urgencies": ["P1"]}, False),
            ({"channels": ["wechat", "weibo"]}, True),
            ({"channels": ["email"]}, False),
            ({"tiers": ["vip", "gold"]}, True),
            ({"tiers": ["standard"]}, False),
        ],
    )
    def test_listed_values_must_include_the_complaints(
        self, conditions: dict[str, Any], expected: bool
    ) -> None:
        assert matches(conditions) is expected

    def test_every_condition_must_hold(self) -> None:
        assert matches({"categories": ["payment_billing"], "channels": ["wechat"], "tiers": ["vip"]})
        assert not matches({"categories": ["payment_billing"], "channels": ["wechat"], "tiers": ["silver"]})

    def test_an_unclassified_complaint_fails_category_and_urgency_conditions(self) -> None:
        assert not matches({"categories": ["payment_billing"]}, category=None)
        assert not matches({"urgencies": ["P2"]}, urgency=None)
        assert matches({"channels": ["wechat"]}, category=None, urgency=None)

    def test_flags_match_on_any_overlap(self) -> None:
        assert matches({"flags": ["legal_threat", "money_lost"]})
        assert not matches({"flags": ["legal_threat"]})
        assert not matches({"flags": ["legal_threat"]}, flags=[])

    def test_any_phrase_in_the_text_matches(self) -> None:
        assert matches({"phrases": ["退款", "扣了"]})
        assert not matches({"phrases": ["退款", "闪退"]})

    def test_phrases_ignore_case_and_full_width_forms(self) -> None:
        english = "Charged TWICE for order 202611220001, please refund."
        assert matches({"phrases": ["charged twice"]}, text=english)
        assert matches({"phrases": ["ＡＰＰ"]}, text="the app crashes on start")
        assert matches({"phrases": ["app"]}, text="ＡＰＰ一打開就閃退")

    def test_traditional_chinese_phrases_match_traditional_text(self) -> None:
        text = "客服態度很差，電話打了三次都沒人處理。"
        assert matches({"phrases": ["態度很差"]}, text=text)
        assert not matches({"phrases": ["态度很差"]}, text=text)

    def test_phrase_conditions_combine_with_the_others(self) -> None:
        assert not matches({"phrases": ["扣了"], "channels": ["email"]})
