"""Tests for classifying complaints into a category and an urgency with the shipped rules."""

from __future__ import annotations

import pytest

from complaint_service.models.enums import Category, Urgency
from complaint_service.triage.classifier import Decision, RuleSet, classify, load_default_rules
from complaint_service.triage.matching import fold

RULES = load_default_rules()

# (text, category, urgency, flags the decision must carry exactly)
SIMPLIFIED = [
    (
        "我在你们APP上支付失败了，钱扣了但是订单没有生成，再不处理我就打12315投诉",
        Category.payment_billing,
        Urgency.P1,
        {"legal_threat", "money_lost"},
    ),
    ("更新到5.2.1之后一打开就闪退", Category.product_defect, Urgency.P3, set()),
    ("快递三天没更新", Category.delivery_logistics, Urgency.P3, set()),
    ("希望增加夜间模式", Category.suggestion, Urgency.P4, set()),
    ("没有闪退，但是快递一直没到", Category.delivery_logistics, Urgency.P3, set()),
    ("客服态度太差了，问了三遍都在敷衍我", Category.service_attitude, Urgency.P3, set()),
    ("我的个人信息被泄露了，每天都接到骚扰电话", Category.privacy, Urgency.P3, set()),
    ("买到的是假货，质量太差了", Category.product_quality, Urgency.P3, set()),
    ("退款申请了一周还没到账", Category.refund_return, Urgency.P2, {"money_lost"}),
    ("全部用户都登录不了，服务器崩了吗", Category.product_defect, Urgency.P1, {"blocked", "outage"}),
    ("充电宝充电的时候冒烟了，差点起火", Category.product_quality, Urgency.P1, {"safety_hazard"}),
    ("账号被盗了，里面的钱全被转走了", Category.account_security, Urgency.P1, {"security_breach"}),
    ("第三次投诉了，还是没解决，快递还没送到", Category.delivery_logistics, Urgency.P2, {"repeat"}),
    ("我被重复扣款了，扣了两次", Category.payment_billing, Urgency.P2, {"money_lost"}),
]
TRADITIONAL = [
    ("帳號被盜了，有人在盜刷我的信用卡", Category.account_security, Urgency.P1, {"security_breach"}),
    ("付款失敗但是錢扣了，訂單卻沒有成立", Category.payment_billing, Urgency.P2, {"money_lost"}),
    ("App一直閃退，已經是第三次反映了還是沒解決", Category.product_defect, Urgency.P2, {"repeat"}),
    ("快遞寄丟了，物流一直沒更新", Category.delivery_logistics, Urgency.P3, set()),
    ("收到的耳機是假貨，包裝也有破損", Category.product_quality, Urgency.P3, set()),
    ("客服態度很差，一直敷衍我，我要向消保官檢舉", Category.service_attitude, Urgency.P1, {"legal_threat"}),
    ("希望增加深色模式，晚上看比較不傷眼", Category.suggestion, Urgency.P4, set()),
]
ENGLISH = [
    (
        "I was charged twice for my order and nobody replies. I will contact my lawyer.",
        Category.payment_billing,
        Urgency.P1,
        {"legal_threat", "money_lost"},
    ),
    ("the app keeps crashing again, third time this week", Category.product_defect, Urgency.P2, {"repeat"}),
    (
        "My package was not delivered and the tracking has not been updated for a week.",
        Category.delivery_logistics,
        Urgency.P3,
        set(),
    ),
    (
        "Someone hacked my account and made unauthorized purchases with my card.",
        Category.account_security,
        Urgency.P1,
        {"security_breach"},
    ),
    ("It would be nice to have a dark mode option.", Category.suggestion, Urgency.P4, set()),
    ("The app did not crash, but my parcel never arrived", Category.delivery_logistics, Urgency.P3, set()),
    (
        "I can't log in since the update, the app just shows a blank screen",
        Category.product_defect,
        Urgency.P2,
        {"blocked"},
    ),
]


def reasons_text(decision: Decision) -> str:
    return "\n".join(decision.reasons)


class TestClassify:
    @pytest.mark.parametrize(("text", "category", "urgency", "flags"), [*SIMPLIFIED, *TRADITIONAL, *ENGLISH])
    def test_realistic_complaints(
        self, text: str, category: Category, urgency: Urgency, flags: set[str]
    ) -> None:
        decision = classify(text, rules=RULES)

        assert (decision.category, decision.urgency) == (category, urgency), decision.reasons
        assert set(decision.flags) == flags
        assert not decision.needs_review
        assert decision.confidence >= 0.4
        assert decision.rule_version == RULES.version

    @pytest.mark.parametrize("text", [text for text, *_ in [*SIMPLIFIED, *TRADITIONAL, *ENGLISH]])
    def test_every_match_is_explained_and_located(self, text: str) -> None:
        decision = classify(text, rules=RULES)

        assert decision.matches
        for match in decision.matches:
            assert fold(text[match.start : match.end]) == match.phrase
            assert any(
                f"'{match.phrase}'" in reason and match.rule_id in reason for reason in decision.reasons
            )

    def test_legal_threat_reason_names_the_phrase_and_rule(self) -> None:
        decision = classify("支付失败了，钱扣了订单没生成，再不处理我就打12315投诉", rules=RULES)

        assert "matched '支付失败' (cat.payment_billing.zh-Hans)" in decision.reasons
        assert "urgency raised to P1 by legal_threat '12315' (sig.legal_threat.zh-Hans)" in decision.reasons
        assert "urgency raised to P2 by money_lost '钱扣了' (sig.money_lost.zh-Hans)" in decision.reasons

    @pytest.mark.parametrize(
        "text", ["你好", "asdfgh", "😀😀😀", "", "请问你们几点下班？", "Hello, is anyone there?"]
    )
    def test_no_category_phrase_means_other_for_a_human(self, text: str) -> None:
        decision = classify(text, rules=RULES)

        assert decision.category is Category.other
        assert decision.urgency is Urgency.P3
        assert decision.needs_review
        assert decision.flags == ("needs_review",)
        assert decision.confidence == 0.0
        assert decision.reasons == ("no clear category: flagged for a human (no category phrase matched)",)

    def test_signals_still_grade_an_unclassified_complaint(self) -> None:
        decision = classify("The charger caught fire while charging and burned my desk.", rules=RULES)

        assert (decision.category, decision.urgency) == (Category.other, Urgency.P1)
        assert decision.flags == ("needs_review", "safety_hazard")

    def test_evidence_spread_over_categories_is_not_a_guess(self) -> None:
        decision = classify("快递、退款、客服都有问题", rules=RULES)

        assert decision.category is Category.other
        assert decision.needs_review
        assert 0 < decision.confidence < 0.4
        assert "best guess delivery_logistics" in reasons_text(decision)

    def test_a_tie_takes_the_first_category_in_taxonomy_order_and_asks_for_review(self) -> None:
        decision = classify("退款和快递", rules=RULES)

        assert decision.category is Category.delivery_logistics
        assert decision.needs_review
        assert "needs_review" in decision.flags
        assert "tie between delivery_logistics and refund_return" in reasons_text(decision)

    def test_min_confidence_is_a_parameter(self) -> None:
        assert classify("快递三天没更新", rules=RULES).category is Category.delivery_logistics
        strict = classify("快递三天没更新", rules=RULES, min_confidence=0.9)

        assert strict.category is Category.other
        assert strict.needs_review
        assert "confidence 0.60 < 0.90" in reasons_text(strict)

    def test_min_confidence_out_of_range_is_refused(self) -> None:
        with pytest.raises(ValueError, match="min_confidence"):
            classify("快递三天没更新", rules=RULES, min_confidence=1.5)

    def test_negated_category_phrase_is_ignored_and_said_so(self) -> None:
        decision = classify("没有闪退，但是快递一直没到", rules=RULES)

        assert "ignored negated '闪退' (cat.product_defect.zh-Hans)" in decision.reasons
        assert all(match.phrase != "闪退" for match in decision.matches)

    def test_negated_form_listed_as_a_phrase_still_counts(self) -> None:
        decision = classify("申请了两周，到现在还是没有退款", rules=RULES)

        assert decision.category is Category.refund_return
        assert "matched '没有退款' (cat.refund_return.zh-Hans)" in decision.reasons

    def test_signals_are_not_negated(self) -> None:
        decision = classify("快递丢了，不是我想找媒体曝光，但你们再不处理我只能这么做", rules=RULES)

        assert decision.urgency is Urgency.P1
        assert "legal_threat" in decision.flags

    def test_repeat_raises_one_level_once_however_often_it_is_said(self) -> None:
        decision = classify("又闪退了，第三次了，还是没解决，again", rules=RULES)

        assert decision.urgency is Urgency.P2
        assert sum("urgency raised P3 → P2 by repeat" in reason for reason in decision.reasons) == 1

    def test_repeat_on_top_of_money_lost_reaches_p1(self) -> None:
        decision = classify("重复扣款的问题我已经再次投诉了", rules=RULES)

        assert decision.urgency is Urgency.P1
        assert {"money_lost", "repeat"} <= set(decision.flags)

    def test_phone_number_containing_12315_is_not_a_regulator_threat(self) -> None:
        decision = classify("快递一直没到，我的电话是13812315678", rules=RULES)

        assert decision.urgency is Urgency.P3
        assert "legal_threat" not in decision.flags

    @pytest.mark.parametrize(
        "text",
        [
            "手机充电到80%就不动了，电池质量有问题",
            "所有人都说你们的质量差",
            "The pizza was burnt and the delivery was late",
            "No one can help me with my refund",
            "The food court next to the store sold me an expired coupon deal, I want a refund",
        ],
    )
    def test_everyday_wording_raises_no_alarm(self, text: str) -> None:
        decision = classify(text, rules=RULES)

        assert decision.urgency is Urgency.P3
        assert decision.flags == ()

    def test_english_phrases_need_word_boundaries(self) -> None:
        decision = classify("There is an issue with the crashed-out screen", rules=RULES)

        assert all(match.phrase != "sue" for match in decision.matches)
        assert decision.urgency is Urgency.P3

    def test_full_width_text_matches_and_offsets_point_into_the_original(self) -> None:
        text = "ＡＰＰ支付失败，我要打１２３１５"
        decision = classify(text, rules=RULES)

        assert (decision.category, decision.urgency) == (Category.payment_billing, Urgency.P1)
        legal = next(match for match in decision.matches if match.phrase == "12315")
        assert text[legal.start : legal.end] == "１２３１５"

    def test_language_restricts_the_rules_used(self) -> None:
        text = "I was charged twice for one order"

        assert classify(text, rules=RULES, language="en").category is Category.payment_billing
        assert classify(text, rules=RULES, language="zh-Hans").category is Category.other

    def test_rule_version_and_disabled_rules_come_from_the_rule_set(self) -> None:
        data = RULES.to_json()
        data["version"] = 7
        for rule in data["rules"]:
            if rule["id"].startswith("sig.legal_threat."):
                rule["enabled"] = False
        decision = classify("支付失败，我要打12315", rules=RuleSet.from_json(data))

        assert decision.rule_version == 7
        assert decision.urgency is Urgency.P3
        assert "legal_threat" not in decision.flags


class TestTiers:
    @pytest.mark.parametrize(
        ("text", "tier", "urgency"),
        [
            ("快递三天没更新", "standard", Urgency.P3),
            ("快递三天没更新", "silver", Urgency.P3),
            ("快递三天没更新", "gold", Urgency.P2),
            ("快递三天没更新", "vip", Urgency.P2),
            ("希望增加夜间模式", "gold", Urgency.P3),
            ("希望增加夜间模式", "vip", Urgency.P3),
            ("付款失敗但是錢扣了", "gold", Urgency.P2),
            ("付款失敗但是錢扣了", "vip", Urgency.P1),
            ("I will sue you, I was charged twice", "vip", Urgency.P1),
        ],
    )
    def test_tier_raises(self, text: str, tier: str, urgency: Urgency) -> None:
        assert classify(text, rules=RULES, tier=tier).urgency is urgency

    def test_a_tier_raise_is_a_reason(self) -> None:
        decision = classify("快递三天没更新", rules=RULES, tier="vip")

        assert decision.reasons[-1] == "tier vip raised urgency P3 → P2"

    def test_unknown_tier_is_refused(self) -> None:
        with pytest.raises(ValueError, match="platinum"):
            classify("快递三天没更新", rules=RULES, tier="platinum")
