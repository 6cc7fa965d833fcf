"""Tests for finding personal data in complaint text."""

from __future__ import annotations

import itertools
import random

import pytest

from complaint_service.pii.detect import PiiKind, PiiMatch, contains_pii, find_pii

UNIONPAY_19 = "6222021234567890128"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FILLERS = ("，", "。", " 谢谢 ", "請盡快處理", " order ", "：", "\n", "（", "）")


def luhn_sum_ok(number: str) -> bool:
    """Independent of the service: double every second digit from the right and add digit sums."""
    doubled = "".join(str(int(d) * 2) if i % 2 else d for i, d in enumerate(reversed(number)))
    return sum(int(d) for d in doubled) % 10 == 0


def with_luhn_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_sum_ok(body + d))


def with_id_check(body: str) -> str:
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def kinds_and_values(text: str) -> list[tuple[PiiKind, str]]:
    return [(match.kind, match.value) for match in find_pii(text)]


class TestFindPii:
    def test_test_cards_are_luhn_valid(self) -> None:
        assert luhn_sum_ok(UNIONPAY_19)
        assert luhn_sum_ok("4111111111111111")
        assert not luhn_sum_ok("4111111111111112")

    def test_simplified_chinese_complaint_with_every_kind(self) -> None:
        text = (
            "我的手机号是13812345678，身份证号11010519491231002X，"
            "银行卡6222 0212 3456 7890 128被重复扣款，请发邮件到 zhang.san@example.com 回复。"
        )

        assert find_pii(text) == [
            PiiMatch(PiiKind.phone, 6, 17, "13812345678"),
            PiiMatch(PiiKind.id_card, 22, 40, "11010519491231002X"),
            PiiMatch(PiiKind.bank_card, 44, 67, "6222 0212 3456 7890 128"),
            PiiMatch(PiiKind.email, 79, 100, "zhang.san@example.com"),
        ]

    def test_digits_inside_a_uuid_are_not_a_phone_even_beside_a_real_one(self) -> None:
        # This id once had its "173-7123-8045" masked as a phone number on a timeline.
        text = "solution 01a20464-e173-7123-8045-f6a844446a4d used; call 13812345678"

        assert kinds_and_values(text) == [(PiiKind.phone, "13812345678")]

    def test_traditional_chinese_with_international_prefix(self) -> None:
        text = "請回電 +86 138 1234 5678，我的卡號是 4111-1111-1111-1111。"

        assert kinds_and_values(text) == [
            (PiiKind.phone, "+86 138 1234 5678"),
            (PiiKind.bank_card, "4111-1111-1111-1111"),
        ]

    def test_english_email(self) -> None:
        text = "Please reply to li.wei+orders@mail.example.com.cn, not to the shop."

        assert kinds_and_values(text) == [(PiiKind.email, "li.wei+orders@mail.example.com.cn")]

    def test_mobile_number_mailbox_is_one_email(self) -> None:
        assert kinds_and_values("联系13812345678@163.com") == [(PiiKind.email, "13812345678@163.com")]

    @pytest.mark.parametrize(
        "phone",
        [
            "13812345678",
            "+8613812345678",
            "+86 13812345678",
            "+86-138-1234-5678",
            "008613812345678",
            "0086 138 1234 5678",
            "86 13812345678",
            "138-1234-5678",
            "138 1234 5678",
            "１３８１２３４５６７８",
            "＋８６ １３８１２３４５６７８",
        ],
    )
    def test_phone_forms(self, phone: str) -> None:
        assert kinds_and_values(f"客服电话{phone}一直打不通") == [(PiiKind.phone, phone)]

    @pytest.mark.parametrize(
        "text",
        [
            "快递单号 913812345678 显示已签收",
            "流水号 1381234567801 未到账",
            "号码 12812345678 是空号",
            "号码 138-1234 5678 分隔不一致",
        ],
    )
    def test_not_a_phone(self, text: str) -> None:
        assert find_pii(text) == []

    @pytest.mark.parametrize(
        "id_number",
        ["11010519491231002X", "11010519491231002x", "110105 19491231 002X", "310115198506122347"],
    )
    def test_resident_id_numbers(self, id_number: str) -> None:
        assert kinds_and_values(f"身份证：{id_number}。") == [(PiiKind.id_card, id_number)]

    @pytest.mark.parametrize(
        "id_number",
        [
            pytest.param("110105194912310021", id="bad-checksum"),
            pytest.param("110105194912310023", id="bad-checksum-2"),
            pytest.param("110105194902300012", id="february-30"),
            pytest.param("110105299901010014", id="future-year"),
            pytest.param("110105189912310015", id="before-1900"),
        ],
    )
    def test_invalid_resident_ids_are_not_pii(self, id_number: str) -> None:
        # Each of these also fails Luhn, so it cannot come back as a bank card either.
        assert not luhn_sum_ok(id_number)
        assert find_pii(f"身份证号{id_number}") == []

    @pytest.mark.parametrize(
        "card",
        [
            "4111 1111 1111 1111",
            "4111111111111111",
            UNIONPAY_19,
            "6222-0212-3456-7890-128",
            "6228480012345671",
        ],
    )
    def test_bank_cards(self, card: str) -> None:
        assert kinds_and_values(f"退款请打到卡号{card}上") == [(PiiKind.bank_card, card)]

    @pytest.mark.parametrize(
        "text",
        [
            "卡号 4111 1111 1111 1112 扣款失败",
            "订单号 41111111111111112345 至今未发货",
            "订单号 4111 1111 1111 1111 2345 至今未发货",
            "Order 8-4111-1111-1111-1111 was cancelled",
        ],
    )
    def test_not_a_bank_card(self, text: str) -> None:
        assert find_pii(text) == []

    def test_plain_texts(self) -> None:
        assert find_pii("") == []
        assert find_pii("快递三天都没到，客服态度很差。The parcel was 3 days late, order 2023-11-22.") == []

    def test_random_texts_never_raise_and_find_generated_numbers(self) -> None:
        rng = random.Random(20261122)
        for _ in range(400):
            card = with_luhn_digit("62" + "".join(rng.choices("0123456789", k=rng.choice((13, 14, 16)))))
            phone = "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))
            birth = f"{rng.randint(1930, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            id_number = with_id_check(f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}")
            noise = "".join(rng.choices("0123456789 -+Xx@.", k=rng.randint(0, 40)))
            parts = [card, phone, id_number]
            rng.shuffle(parts)
            text = rng.choice(FILLERS).join([noise, *parts, noise])

            matches = find_pii(text)

            assert all(m.value == text[m.start : m.end] for m in matches)
            assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
            found = {(m.kind, m.value) for m in matches}
            assert {(PiiKind.bank_card, card), (PiiKind.phone, phone), (PiiKind.id_card, id_number)} <= found


class TestContainsPii:
    def test_none_and_empty(self) -> None:
        assert contains_pii(None) is False
        assert contains_pii("") is False

    def test_detects_and_rejects(self) -> None:
        assert contains_pii("手機號碼 13912345678 被洩露") is True
        assert contains_pii("手機壞了，要求退貨。") is False
