"""Meaningless content in Simplified Chinese, Traditional Chinese and English."""

from __future__ import annotations

import pytest

from complaint_service.abuse.content import is_mash, meaningless


class TestMeaningless:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   \n ",
            "。。。。。。",
            "？？？！！！",
            "😡😡😡😡",
            "🙂👍",
            "啊啊啊啊啊啊",
            "哈哈哈哈哈",
            "好",
            "嗯嗯嗯嗯",
            "aaaaaaaa",
            "!!!!1111",
            "666666",
            "12345",
            "asdfghjkl",
            "ASDF ASDF",
            "sdfsdfsdf",
            "jkl;jkl;",
            "qwerty uiop",
            "fdsjklfdsjkl",
        ],
    )
    def test_text_that_describes_no_problem(self, text: str) -> None:
        assert meaningless(text, min_chars=2)

    @pytest.mark.parametrize(
        "text",
        [
            "退款",
            "闪退了",
            "在吗",
            "支付失败，钱扣了",
            "我的訂單付款失敗了，請儘快處理",
            "帳號被盜",
            "no refund",
            "help me",
            "App crashes after 5.2.1",
            "I was charged twice for order 202611220001",
            "asdf 我的订单没到",
            "why??",
            "rhythm",
        ],
    )
    def test_short_real_complaints_pass(self, text: str) -> None:
        assert not meaningless(text, min_chars=2)

    def test_the_minimum_length_is_configurable(self) -> None:
        assert meaningless("退款", min_chars=3)
        assert not meaningless("退款了", min_chars=3)


class TestIsMash:
    @pytest.mark.parametrize("word", ["asdf", "lkjh", "qwerty", "zxcvbnm", "asdasdasd", "hahaha", "sdfgh"])
    def test_mash(self, word: str) -> None:
        assert is_mash(word)

    @pytest.mark.parametrize("word", ["app", "refund", "crash", "order", "rhythm", "type", "were"])
    def test_words(self, word: str) -> None:
        assert not is_mash(word)
