"""Tests for text folding and the phrase index behind the classifier."""

from __future__ import annotations

import random

import pytest

from complaint_service.triage.matching import Hit, PhraseIndex, fold
from complaint_service.triage.rules import load_default_rules


def is_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def naive_hits(phrases: set[str], text: str) -> set[Hit]:
    """Independent of the index: try every phrase at every position, with the boundary rule."""
    hits = set()
    for phrase in phrases:
        start = text.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            left_ok = not (start and is_word(phrase[0]) and is_word(text[start - 1]))
            right_ok = not (end < len(text) and is_word(phrase[-1]) and is_word(text[end]))
            if left_ok and right_ok:
                hits.add(Hit(phrase, start, end))
            start = text.find(phrase, start + 1)
    return hits


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("ＡＰＰ閃退１２３１５", "app閃退12315"),
            ("Payment FAILED", "payment failed"),
            ("I can\u2019t log in", "i can't log in"),
            ("charged\ttwice\nagain\u3000now", "charged twice again now"),
            ("支付失败，钱扣了！", "支付失败,钱扣了!"),
        ],
    )
    def test_folds_width_case_apostrophes_and_whitespace(self, text: str, folded: str) -> None:
        assert fold(text) == folded

    @pytest.mark.parametrize("text", ["ﬁle a complaint", "İstanbul teslimat", "㈱公司", "e\u0301 café"])
    def test_length_is_kept_when_a_character_would_expand(self, text: str) -> None:
        assert len(fold(text)) == len(text)


class TestPhraseIndex:
    def test_overlapping_and_nested_phrases_are_all_found(self) -> None:
        index = PhraseIndex({"扣款", "重复扣款", "扣款了但", "钱扣了", "了但"})

        assert set(index.find("被重复扣款了但没发货")) == {
            Hit("重复扣款", 1, 5),
            Hit("扣款", 3, 5),
            Hit("扣款了但", 3, 7),
            Hit("了但", 5, 7),
        }

    def test_latin_and_digit_phrases_stop_at_word_boundaries(self) -> None:
        index = PhraseIndex({"sue", "12315", "app闪退", "log in", "login"})

        assert index.find("an issue, 13812315678, myapp闪退, login") == [Hit("login", 32, 37)]
        assert index.find("i will sue. 打12315投诉 app闪退 log in") == [
            Hit("sue", 7, 10),
            Hit("12315", 13, 18),
            Hit("app闪退", 21, 26),
            Hit("log in", 27, 33),
        ]

    def test_a_shorter_prefix_counts_when_only_the_longer_phrase_breaks_a_boundary(self) -> None:
        index = PhraseIndex({"log", "login"})

        assert index.find("logins log") == [Hit("log", 7, 10)]

    def test_no_phrases_find_nothing(self) -> None:
        assert PhraseIndex(set()).find("支付失败") == []

    def test_agrees_with_a_naive_search_on_random_text(self) -> None:
        phrases = set(load_default_rules().index().owners)
        alphabet = sorted({char for phrase in phrases for char in phrase} | set(" ,。x9"))
        generator = random.Random(20261122)
        index = PhraseIndex(phrases)
        sample = generator.sample(sorted(phrases), 60)
        for _ in range(200):
            pieces = [generator.choice(alphabet) for _ in range(30)] + generator.sample(sample, 4)
            generator.shuffle(pieces)
            text = "".join(pieces)

            assert set(index.find(text)) == naive_hits(phrases, text), text
