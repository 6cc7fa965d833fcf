"""Tests for masking personal data in complaint text and customer identities."""

from __future__ import annotations

import random

import pytest

from complaint_service.pii.detect import PiiKind, PiiMatch, find_pii
from complaint_service.pii.mask import mask_identity, mask_match, mask_optional, mask_text


def match_of(kind: PiiKind, value: str) -> PiiMatch:
    return PiiMatch(kind=kind, start=0, end=len(value), value=value)


class TestMaskMatch:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("13812345678", "138****5678"),
            ("138-1234-5678", "138****5678"),
            ("138 1234 5678", "138****5678"),
            ("+86 138 1234 5678", "+86 138****5678"),
            ("+8613812345678", "+86138****5678"),
            ("0086-13812345678", "0086-138****5678"),
            ("１３８１２３４５６７８", "138****5678"),
        ],
    )
    def test_phone(self, value: str, expected: str) -> None:
        assert mask_match(match_of(PiiKind.phone, value)) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("11010519491231002X", "110105********002X"),
            ("110105194912310012", "110105********0012"),
            ("110105 19491231 002x", "110105 ******** 002x"),
        ],
    )
    def test_id_card(self, value: str, expected: str) -> None:
        assert mask_match(match_of(PiiKind.id_card, value)) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("4111 1111 1111 1111", "4111 **** **** 1111"),
            ("4111111111111111", "4111********1111"),
            ("6222021234567890128", "6222***********0128"),
            ("6222-0212-3456-7890-128", "6222-****-****-***0-128"),
        ],
    )
    def test_bank_card(self, value: str, expected: str) -> None:
        assert mask_match(match_of(PiiKind.bank_card, value)) == expected

    def test_email(self) -> None:
        assert mask_match(match_of(PiiKind.email, "zhang.san@example.com")) == "z***@example.com"

    def test_hand_built_matches_do_not_raise(self) -> None:
        assert mask_match(match_of(PiiKind.phone, "12345")) == "*****"
        assert mask_match(match_of(PiiKind.bank_card, "")) == ""
        assert mask_match(match_of(PiiKind.email, "no-at-sign")) == "no-a***gn"


class TestMaskText:
    def test_simplified_chinese_complaint(self) -> None:
        text = (
            "我的手机号是13812345678，身份证号11010519491231002X，"
            "银行卡6222 0212 3456 7890 128被重复扣款，请发邮件到 zhang.san@example.com 回复。"
        )

        assert mask_text(text) == (
            "我的手机号是138****5678，身份证号110105********002X，"
            "银行卡6222 **** **** ***0 128被重复扣款，请发邮件到 z***@example.com 回复。"
        )

    def test_traditional_chinese_and_english(self) -> None:
        text = "請回電 +86 138 1234 5678. Card 4111-1111-1111-1111 was charged twice."

        assert mask_text(text) == "請回電 +86 138****5678. Card 4111-****-****-1111 was charged twice."

    def test_digits_in_an_email_domain_are_masked_too(self) -> None:
        assert mask_text("发到 li@13812345678.cn") == "发到 l***@138****5678.cn"

    def test_text_without_pii_is_unchanged(self) -> None:
        text = "快递三天没到。The courier was rude. 订单 2023112210301567"
        assert mask_text(text) == text
        assert mask_text("") == ""

    def test_idempotent(self) -> None:
        text = "电话 +86-138-1234-5678，身份证 110105 19491231 002X，卡 4111111111111111，邮箱 a@b.cn"
        once = mask_text(text)

        assert mask_text(once) == once
        assert find_pii(once) == []

    def test_large_unicode_input(self) -> None:
        text = ("投訴🙂\u200b\ud800 手机13812345678 " * 5000) + "x" * 10_000

        masked = mask_text(text)

        assert "13812345678" not in masked
        assert masked.count("138****5678") == 5000

    def test_random_digit_strings_never_leak_a_detected_number(self) -> None:
        rng = random.Random(1122)
        for _ in range(500):
            text = "".join(
                rng.choice(("", " ", "-", "，", "号", "+86 "))
                + "".join(rng.choices("0123456789", k=rng.randint(1, 22)))
                for _ in range(rng.randint(1, 4))
            )

            masked = mask_text(text)

            for match in find_pii(text):
                digits = "".join(ch for ch in match.value if ch.isdigit())
                assert digits not in mask_match(match)
            assert find_pii(masked) == []
            assert mask_text(masked) == masked


class TestMaskOptional:
    def test_none_passes_through(self) -> None:
        assert mask_optional(None) is None

    def test_text_is_masked(self) -> None:
        assert mask_optional("电话13912345678") == "电话139****5678"


class TestMaskIdentity:
    @pytest.mark.parametrize(
        ("kind", "value", "expected"),
        [
            ("phone", "+8613812345678", "+86 138****5678"),
            ("phone", "+14155552671", "+1 415***2671"),
            ("phone", "+85291234567", "+852 ******67"),
            ("phone", "not a number", "not ***er"),
            ("email", "zhang.san@example.com", "z***@example.com"),
            ("wechat_openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUpF***6o"),
            ("wechat_unionid", "o6_bmasdasdsad6_2sgVt7hMZOPfL", "o6_b***fL"),
            ("weibo_uid", "5678901234", "5678***34"),
            ("app_user_id", "u_20231122", "u_20***22"),
            ("external_id", "ZD-88123", "***"),
        ],
    )
    def test_each_kind(self, kind: str, value: str, expected: str) -> None:
        assert mask_identity(kind, value) == expected

    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            ("phone", "+8613812345678"),
            ("phone", "+14155552671"),
            ("email", "zhang.san@example.com"),
            ("wechat_openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
            ("external_id", "ZD-88123"),
        ],
    )
    def test_idempotent(self, kind: str, value: str) -> None:
        once = mask_identity(kind, value)
        assert mask_identity(kind, once) == once

    def test_odd_inputs_do_not_raise(self) -> None:
        assert mask_identity("phone", "") == "***"
        assert mask_identity("phone", "+" + "9" * 10_000) == "+999***99"
        assert mask_identity("email", "@example.com") == "***@example.com"
