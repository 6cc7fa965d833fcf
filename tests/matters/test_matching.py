"""Same matter or not: order ids first, then containment of n-grams, in three writing systems."""

from __future__ import annotations

import pytest

from complaint_service.matters.matching import Matter, match, same_order, text_score
from complaint_service.models.enums import MergeReason
from complaint_service.settings import MattersConfig

THRESHOLD = MattersConfig().similarity_threshold


class TestTextScore:
    @pytest.mark.parametrize(
        ("left", "right"),
        [
            (
                "我买的空气炸锅付款三天了还没发货，客服也不回复，到底什么时候发货？",
                "你好，我上周买的空气炸锅，付了款三天了一直没发货，能不能帮我查一下什么时候发货",
            ),
            (
                "我買的空氣炸鍋付款三天了還沒發貨，客服也不回覆",
                "我买的空气炸锅付款三天了还没发货，请尽快处理",
            ),
            (
                "The app crashes every time I open my orders since the 5.2.1 update.",
                "Since updating to 5.2.1 the app crashes whenever I open the orders page. Please fix it.",
            ),
        ],
        ids=["simplified", "traditional-vs-simplified", "english"],
    )
    def test_the_same_matter_told_again_scores_above_the_default_threshold(
        self, left: str, right: str
    ) -> None:
        assert text_score(left, right) >= THRESHOLD

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("我买的空气炸锅付款三天了还没发货", "我买的空气炸锅收到后发现有裂痕，要求退货退款"),
            ("支付失败了但是钱被扣了，订单也没生成", "客服态度很差，打电话过去直接挂断"),
            (
                "I ordered running shoes three weeks ago and the tracking has not been updated since.",
                "The refund for my cancelled hotel booking has still not reached my credit card.",
            ),
        ],
        ids=["same-product-other-problem", "chinese", "english"],
    )
    def test_different_matters_score_below_it(self, left: str, right: str) -> None:
        assert text_score(left, right) < THRESHOLD

    def test_a_short_message_inside_a_long_transcript_counts_fully(self) -> None:
        short = "空气炸锅还没发货"
        transcript = "您好请问有什么可以帮您？我买的空气炸锅还没发货，付款三天了，麻烦帮我催一下仓库。"
        assert text_score(short, transcript) == 1.0

    def test_too_few_shared_ngrams_is_chance(self) -> None:
        assert text_score("退款", "申请退款") == 0.0


class TestSameOrder:
    def test_equal_order_ids_ignoring_case_and_punctuation(self) -> None:
        assert same_order(Matter("LG-20261121-0127", "a"), Matter("lg202611210127", "b")) is True

    def test_different_order_ids_are_different_matters(self) -> None:
        assert same_order(Matter("LG202611210127", "x"), Matter("LG202611180044", "x")) is False

    def test_an_order_id_read_out_in_the_other_text(self) -> None:
        said = Matter(None, "caller: 订单号是 LG 2026 1121 0127，还没发货")
        assert same_order(said, Matter("LG202611210127", "未发货")) is True
        assert same_order(Matter("LG202611210127", "未发货"), said) is True

    def test_short_numbers_are_not_taken_for_order_ids(self) -> None:
        assert same_order(Matter(None, "我买了 2 件，等了 12345 年"), Matter("12345", "x")) is None


class TestMatch:
    def test_same_order_wins_over_unlike_text(self) -> None:
        found = match(Matter("LG1", "物流太慢"), Matter("LG1", "The parcel is late"), threshold=THRESHOLD)
        assert found is not None
        assert (found.reason, found.score) == (MergeReason.order_id, 1.0)

    def test_different_orders_never_match_even_with_the_same_words(self) -> None:
        text = "我的订单付款三天了还没发货"
        assert match(Matter("LG202611210127", text), Matter("LG202611180044", text), threshold=0.1) is None

    def test_similar_text_carries_its_score(self) -> None:
        found = match(
            Matter(None, "更新后打开订单页就闪退"),
            Matter(None, "更新之后一打开订单页就闪退了"),
            threshold=THRESHOLD,
        )
        assert found is not None
        assert found.reason is MergeReason.similar_text
        assert THRESHOLD <= found.score <= 1.0
