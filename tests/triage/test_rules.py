"""Tests for rule validation and the shipped default rule set."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from complaint_service.models.enums import Category, Urgency
from complaint_service.triage.matching import fold
from complaint_service.triage.rules import Rule, RuleKind, RuleSet, SignalFlag, load_default_rules

LANGUAGES = ("zh-Hans", "zh-Hant", "en")


def category_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "cat.payment_billing.zh-Hans",
        "kind": "category",
        "category": "payment_billing",
        "phrases": ["支付失败", "重复扣款"],
        "languages": ["zh-Hans"],
    }
    return rule | overrides


def signal_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "sig.legal_threat.zh-Hans",
        "kind": "urgency_signal",
        "flag": "legal_threat",
        "urgency": "P1",
        "phrases": ["12315", "消费者协会"],
        "languages": ["zh-Hans"],
    }
    return rule | overrides


def rule_set(*rules: dict[str, Any], version: int = 3) -> dict[str, Any]:
    return {"version": version, "rules": list(rules)}


class TestDefaultRules:
    def test_shipped_file_is_what_load_default_rules_returns(self) -> None:
        raw = (
            resources.files("complaint_service.triage")
            .joinpath("data", "default_rules.json")
            .read_text("utf-8")
        )

        assert RuleSet.from_json(json.loads(raw)) == load_default_rules()
        assert load_default_rules() is load_default_rules()

    def test_ids_are_unique_and_phrases_are_folded_and_non_empty(self) -> None:
        rules = load_default_rules().rules
        ids = [rule.id for rule in rules]

        assert len(ids) == len(set(ids))
        for rule in rules:
            assert rule.phrases
            assert all(phrase.strip() == phrase and phrase == fold(phrase) for phrase in rule.phrases), (
                rule.id
            )
            assert len(rule.phrases) == len(set(rule.phrases)), rule.id

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("category", [c for c in Category if c is not Category.other])
    def test_every_category_has_phrases_in_every_language(self, category: Category, language: str) -> None:
        phrases = [
            phrase
            for rule in load_default_rules().rules
            if rule.enabled and rule.category is category and language in rule.languages
            for phrase in rule.phrases
        ]

        assert len(phrases) >= 20

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("flag", list(SignalFlag))
    def test_every_signal_has_phrases_in_every_language(self, flag: SignalFlag, language: str) -> None:
        assert any(
            rule.flag is flag and language in rule.languages and rule.phrases
            for rule in load_default_rules().rules
        )

    def test_signal_floors_follow_the_urgency_table(self) -> None:
        floors = {
            rule.flag: rule.urgency
            for rule in load_default_rules().rules
            if rule.kind is RuleKind.urgency_signal
        }

        assert floors == {
            SignalFlag.legal_threat: Urgency.P1,
            SignalFlag.safety_hazard: Urgency.P1,
            SignalFlag.security_breach: Urgency.P1,
            SignalFlag.outage: Urgency.P1,
            SignalFlag.money_lost: Urgency.P2,
            SignalFlag.blocked: Urgency.P2,
            SignalFlag.repeat: None,
        }

    def test_json_round_trip(self) -> None:
        rules = load_default_rules()

        assert RuleSet.from_json(json.loads(json.dumps(rules.to_json()))) == rules


class TestRuleSetFromJson:
    def test_valid_rules_are_parsed_with_defaults(self) -> None:
        rules = RuleSet.from_json(rule_set(category_rule(), signal_rule()))

        assert rules.version == 3
        payment, legal = rules.rules
        assert payment == Rule(
            id="cat.payment_billing.zh-Hans",
            kind=RuleKind.category,
            category=Category.payment_billing,
            phrases=("支付失败", "重复扣款"),
            languages=("zh-Hans",),
        )
        assert (payment.weight, payment.enabled, payment.description) == (1.0, True, "")
        assert (legal.flag, legal.urgency) == (SignalFlag.legal_threat, Urgency.P1)

    def test_phrases_are_folded_as_text_is(self) -> None:
        rules = RuleSet.from_json(rule_set(category_rule(phrases=[" ＡＰＰ閃退 ", "Payment Failed"])))

        assert rules.rules[0].phrases == ("app閃退", "payment failed")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"rules": []}, "version"),
            (rule_set(version=0), "version"),
            ({"version": 1, "rules": "cat.payment_billing"}, "rules"),
            ({"version": 1, "rules": [], "owner": "ops"}, "owner"),
            (rule_set(category_rule(kind="keyword")), "kind"),
            (rule_set(category_rule(category="weather")), "category"),
            (rule_set(category_rule(category="other")), "other"),
            (rule_set(category_rule(category=None)), "category rule"),
            (rule_set(category_rule(flag="legal_threat")), "no flag"),
            (rule_set(category_rule(urgency="P1")), "no flag and no urgency"),
            (rule_set(signal_rule(flag=None)), "has a flag"),
            (rule_set(signal_rule(flag="angry")), "flag"),
            (rule_set(signal_rule(category="privacy")), "no category"),
            (rule_set(signal_rule(flag="repeat")), "repeat"),
            (rule_set(signal_rule(urgency="P0")), "urgency"),
            (rule_set(category_rule(phrases=[])), "phrases"),
            (rule_set(category_rule(phrases=["支付失败", "   "])), "1 to 100 characters"),
            (rule_set(category_rule(phrases=["Bug", "bug"])), "duplicate phrases: bug"),
            (rule_set(category_rule(phrases=["支付\x00失败"])), "control characters"),
            (rule_set(category_rule(description="nul\x00")), "description"),
            (rule_set(category_rule(languages=["ja"])), "languages"),
            (rule_set(category_rule(languages=[])), "languages"),
            (rule_set(category_rule(weight=0)), "weight"),
            (rule_set(category_rule(id="cat payment")), "id"),
            (rule_set(category_rule(colour="red")), "colour"),
            (rule_set(category_rule(), category_rule()), "duplicate rule ids: cat.payment_billing.zh-Hans"),
        ],
    )
    def test_invalid_rules_are_refused_with_the_reason(self, data: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            RuleSet.from_json(data)

    def test_compiled_index_is_built_once_per_language(self) -> None:
        rules = RuleSet.from_json(
            rule_set(category_rule(), signal_rule(), category_rule(id="x", enabled=False))
        )

        assert rules.index() is rules.index(None)
        assert rules.index("en") is not rules.index()
        assert set(rules.index().owners) == {"支付失败", "重复扣款", "12315", "消费者协会"}
        assert rules.index("en").owners == {}
