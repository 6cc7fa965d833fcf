"""Telling text that describes no problem at all from a complaint, in Chinese and English.

Meaningless here means: nothing but punctuation, emoji, symbols or whitespace; fewer letters or
digits than a problem needs; one or two characters repeated ("啊啊啊啊", "哈哈哈", "!!!!1111");
digits alone; or Latin letters that are only keyboard mash ("asdfghjkl", "sdfsdfsdf", "qwerty").
Everything else passes: a short real complaint ("退款", "闪退了", "no refund") is not abuse, and
the rules err towards letting text through, because a held complaint waits for a person.
"""

from __future__ import annotations

import re
import unicodedata

from complaint_service.core.similarity import normalize

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiouy")
_LATIN_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_MASH_MIN = 4  # shorter Latin words are too often real ("ok", "app", "why")


def _on_keyboard_row(word: str) -> bool:
    """A run of neighbouring keys, left to right or back ("asdf", "lkjh", "qwerty")."""
    return any(word in row or word in row[::-1] for row in _KEYBOARD_ROWS)


def _repeats_a_unit(word: str) -> bool:
    """The same one to four letters over and over ("asdasdasd", "jkljkl", "hahaha")."""
    return any(
        len(word) >= 2 * size and len(word) % size == 0 and word == word[:size] * (len(word) // size)
        for size in range(1, 5)
    )


def is_mash(word: str) -> bool:
    """A lower-case Latin word that no language would write."""
    if len(word) < _MASH_MIN:
        return False
    if _on_keyboard_row(word) or _repeats_a_unit(word):
        return True
    return len(word) >= 5 and not _VOWELS.intersection(word)


def meaningless(text: str, *, min_chars: int) -> bool:
    """True when `text` (subject and body) cannot describe a problem; see the module docstring."""
    normal = normalize(text)
    if len(normal) < min_chars:
        return True
    if len(normal) >= 3 and len(set(normal)) <= 2:
        return True
    if normal.isdigit():
        return True
    if _CJK.search(normal):
        return False
    words = _LATIN_WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    # Mash split by spaces or punctuation ("jkl;jkl;") is mash once joined up.
    return bool(words) and (all(is_mash(word) for word in words) or is_mash("".join(words)))
