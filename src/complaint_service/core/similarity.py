"""Near-duplicate text similarity that works for Chinese, where words are not separated by spaces.

The one shared measure for every feature that asks "is this the same matter?" (one ticket per
matter, repeats, abuse floods, incidents), so they all agree on what "similar" means.

Texts are compared as sets of overlapping character bigrams ("shingles") of a normalised form:
- NFKC folds full-width letters, digits and compatibility forms ("ＡＰＰ" → "app");
- Traditional Chinese is folded to Simplified (OpenCC t2s), so "支付失敗" and "支付失败" match;
- case is folded, and everything that is not a letter or a digit (punctuation, symbols, emoji,
  whitespace, combining marks) is dropped, so "支付 失败！！" and "支付失败" are the same text.

Character bigrams need no word segmentation: two Chinese sentences about the same thing share most
of their two-character pairs, and English words share theirs too. Jaccard (overlap ÷ union) says
whether two texts are near-identical; containment (how much of the shorter text is in the longer)
says whether a short complaint is restated inside a longer one.
"""

from __future__ import annotations

import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")
# Letters (L*) and digits (N*) carry meaning; punctuation, symbols, separators and marks do not.
_KEPT_CATEGORIES = frozenset("LN")

Shingles = frozenset[str]
OPENING_CHARS = 2000


def opening(*parts: str | None, limit: int = OPENING_CHARS) -> str:
    """What is compared of a complaint: its parts (subject, body) joined, cut to `limit` characters.

    The opening states the matter; the cut bounds the cost of comparing long e-mails with quoted
    history against hundreds of candidates.
    """
    return "\n".join(part for part in parts if part)[:limit]


def normalize(text: str) -> str:
    """The comparable form: NFKC, Simplified Chinese, case-folded, only letters and digits."""
    folded = _T2S.convert(unicodedata.normalize("NFKC", text)).casefold()
    return "".join(char for char in folded if unicodedata.category(char)[0] in _KEPT_CATEGORIES)


def shingles(text: str, *, size: int = 2) -> Shingles:
    """Overlapping character n-grams of the normalised text.

    A normalised text shorter than `size` is its own single shingle, so a one-character complaint
    still equals itself and nothing else; an empty one has no shingles and is similar to nothing.
    """
    normal = normalize(text)
    if len(normal) < size:
        return frozenset({normal}) if normal else frozenset()
    return frozenset(normal[index : index + size] for index in range(len(normal) - size + 1))


def jaccard(left: Shingles, right: Shingles) -> float:
    """|A ∩ B| ÷ |A ∪ B|: 1.0 for the same shingles, 0.0 when nothing is shared or either is empty."""
    if not left or not right:
        return 0.0
    shared = len(left & right)
    return shared / (len(left) + len(right) - shared)


def containment(left: Shingles, right: Shingles) -> float:
    """|A ∩ B| ÷ min(|A|, |B|): how much of the shorter text appears in the longer one."""
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def similarity(left: str, right: str) -> float:
    """Jaccard similarity of the two texts' bigram shingles."""
    return jaccard(shingles(left), shingles(right))
