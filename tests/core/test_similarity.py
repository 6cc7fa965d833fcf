"""The shared near-duplicate measure on Simplified, Traditional Chinese and English texts."""

from __future__ import annotations

import pytest

from complaint_service.core.similarity import (
    containment,
    jaccard,
    normalize,
    opening,
    shingles,
    similarity,
)


class TestNormalize:
    def test_drops_punctuation_symbols_emoji_and_spaces(self) -> None:
        assert normalize("支付 失败！！😡😡 ...") == "支付失败"

    def test_folds_width_case_and_traditional_chinese(self) -> None:
        assert normalize("ＡＰＰ閃退 Crash") == "app闪退crash"


class TestShingles:
    def test_character_bigrams_of_the_normal_form(self) -> None:
        assert shingles("支付,失败") == {"支付", "付失", "失败"}

    def test_a_single_character_is_its_own_shingle_and_nothing_is_empty(self) -> None:
        assert shingles("好!") == {"好"}
        assert shingles("?!。。") == frozenset()


class TestSimilarity:
    def test_the_same_complaint_in_simplified_and_traditional_chinese_is_identical(self) -> None:
        assert similarity("我的订单支付失败了，扣了钱没到账", "我的訂單支付失敗了，扣了錢沒到賬") == 1.0

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("App crashes after the 5.2.1 update", "app crashes after update 5.2.1!!"),
            ("支付失败，钱扣了订单没成功", "支付失败了，钱扣了订单没有成功"),
        ],
    )
    def test_reworded_reports_of_one_problem_are_similar(self, left: str, right: str) -> None:
        assert similarity(left, right) >= 0.5

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("支付失败，钱扣了订单没成功", "快递三天了还没到，客服也不回复"),
            ("App crashes after the 5.2.1 update", "The courier was rude and left my parcel outside"),
        ],
    )
    def test_different_matters_are_not(self, left: str, right: str) -> None:
        assert similarity(left, right) < 0.2

    def test_empty_text_is_similar_to_nothing(self) -> None:
        assert similarity("", "") == 0.0
        assert jaccard(frozenset(), shingles("支付失败")) == 0.0


class TestContainment:
    def test_a_short_complaint_restated_in_a_longer_one(self) -> None:
        short, long = shingles("支付失败"), shingles("你好，我昨天晚上支付失败，请帮我看看怎么回事")
        assert containment(short, long) == 1.0
        assert jaccard(short, long) < 0.3


class TestOpening:
    def test_joins_the_parts_there_are_and_cuts_to_the_limit(self) -> None:
        assert opening("支付失败", None, "钱扣了") == "支付失败\n钱扣了"
        assert opening("a" * 10, "b", limit=4) == "aaaa"
