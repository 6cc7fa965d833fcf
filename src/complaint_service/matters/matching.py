"""Is a new complaint about the same matter as an earlier one? Order ids decide first, then text.

Text is compared with the shared near-duplicate normalisation (`core.similarity`: NFKC, Traditional
folded to Simplified, punctuation dropped), scored as containment (how much of the shorter text
is in the longer), because the same matter told twice is often a short chat message one time and a
long call transcript the next; Jaccard would punish the difference in length.

The n-gram size follows the script. Chinese is compared by character bigrams, which need no word
segmentation (no dictionary to load, no jieba model to keep in step with the platform's product
names), after dropping a few function characters (的, 了, 我…) that every complaint shares. Text
without Chinese is compared by trigrams: with spaces dropped, English bigrams ("th", "er", "in")
are so common that two unrelated complaints share half of them. So measured, restated complaints
score 0.4 to 0.8, unrelated ones below 0.2, and two different problems with one product (a shared
"买的空气炸锅") about 0.33: hence the default threshold of 0.4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from complaint_service.core.similarity import Shingles, containment, normalize, shingles
from complaint_service.models.enums import MergeReason

# Shorter "order ids" (a quantity, a year) appear in unrelated texts by chance.
MIN_ORDER_ID_LENGTH = 6
# Fewer shared n-grams than this is chance, whatever share of a very short text they are.
MIN_SHARED = 3
HAN_SHARE_FOR_BIGRAMS = 0.3
# Texts are cut to `core.similarity.OPENING_CHARS` where many are compared, so an entry stays small.
COMPARABLE_CACHE_SIZE = 1024
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Particles, pronouns and fillers: dropping them lets "还没有发货" meet "还没发货" and keeps "我买的"
# from making two different problems with one product look alike.
_FUNCTION_CHARACTERS = frozenset("的了我你您们是在也都和就吧吗呢啊呀请好有这那个一")


@dataclass(frozen=True)
class Matter:
    """What is compared of a complaint: its order id, if any, and its words."""

    order_id: str | None
    text: str

    @classmethod
    def of(cls, *, order_id: str | None, subject: str | None, body: str) -> Matter:
        return cls(order_id=order_id, text=f"{subject or ''}\n{body}")


@dataclass(frozen=True)
class Match:
    reason: MergeReason
    score: float


def _chinese(normal: str) -> bool:
    return bool(normal) and len(_HAN.findall(normal)) >= HAN_SHARE_FOR_BIGRAMS * len(normal)


def _without_function_characters(normal: str) -> str:
    return "".join(char for char in normal if char not in _FUNCTION_CHARACTERS)


@dataclass(frozen=True)
class _Comparable:
    chinese: bool
    bigrams: Shingles
    """Of the text without function characters; empty unless the text is Chinese."""
    trigrams: Shingles


@lru_cache(maxsize=COMPARABLE_CACHE_SIZE)
def _comparable(text: str) -> _Comparable:
    """A text's shingles, computed once per process: incident detection compares each new complaint
    with up to 200 recent ones, which are mostly the ones compared a moment ago."""
    normal = normalize(text)
    chinese = _chinese(normal)
    bigrams = shingles(_without_function_characters(normal), size=2) if chinese else frozenset()
    return _Comparable(chinese, bigrams, shingles(normal, size=3))


def text_score(left: str, right: str) -> float:
    """Containment of n-gram shingles: bigrams when both texts are Chinese, trigrams otherwise."""
    a, b = _comparable(left), _comparable(right)
    grams_a, grams_b = (a.bigrams, b.bigrams) if a.chinese and b.chinese else (a.trigrams, b.trigrams)
    if len(grams_a & grams_b) < MIN_SHARED:
        return 0.0
    return containment(grams_a, grams_b)


def _mentions(order_id: str, text: str) -> bool:
    needle = normalize(order_id)
    return len(needle) >= MIN_ORDER_ID_LENGTH and needle in normalize(text)


def same_order(new: Matter, old: Matter) -> bool | None:
    """True or False when order ids settle it; None when text has to.

    Two different order ids are two matters however alike the words ("order A has not arrived",
    "order B has not arrived"). One order id mentioned in the other complaint's text (a phone
    transcript reading the number out) is the same order.
    """
    if new.order_id and old.order_id:
        return normalize(new.order_id) == normalize(old.order_id)
    if old.order_id and _mentions(old.order_id, new.text):
        return True
    if new.order_id and _mentions(new.order_id, old.text):
        return True
    return None


def match(new: Matter, old: Matter, *, threshold: float) -> Match | None:
    order = same_order(new, old)
    if order is not None:
        return Match(MergeReason.order_id, 1.0) if order else None
    score = text_score(new.text, old.text)
    return Match(MergeReason.similar_text, round(score, 3)) if score >= threshold else None
