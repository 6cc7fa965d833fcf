"""Finding every occurrence of a fixed phrase list in complaint text, overlapping ones included."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_SPACE = " "
_APOSTROPHES = {"\u2018": "'", "\u2019": "'", "\u02bc": "'"}
# Characters already examined by fold(); the table maps those whose one-character fold differs.
# Bounded, so text made of ever new code points cannot grow it without limit.
_CACHE_LIMIT = 20_000
_SEEN: set[str] = set()
_TABLE: dict[int, str] = {}


def _fold_char(char: str) -> str:
    if char.isspace():
        return _SPACE
    folded = unicodedata.normalize("NFKC", _APOSTROPHES.get(char, char)).lower()
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """NFKC, lower case, one space per whitespace character and ASCII apostrophes, one character at a time.

    The result has the length of the input, so offsets found in it are offsets in the original text;
    the rare characters whose fold is longer than one character (ligatures, "İ") are left as they are.
    """
    unseen = set(text).difference(_SEEN)
    if not unseen:
        return text.translate(_TABLE)
    cached = len(_SEEN) < _CACHE_LIMIT
    table = _TABLE if cached else dict(_TABLE)
    for char in unseen:
        folded = _fold_char(char)
        if folded != char:
            table[ord(char)] = folded
    if cached:
        _SEEN.update(unseen)
    return text.translate(table)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True)
class Hit:
    phrase: str
    start: int
    end: int


Trie = dict[str, "Trie"]
_END = ""
_BUCKETS = 8


def _trie_pattern(node: Trie) -> str:
    """Longest match first: a greedy optional group continues before it stops at a shorter phrase."""
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if _END in node else body


def _compile(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One trie-shaped regex; its first level is split into buckets guarded by a character class,
    so the engine tries a handful of classes at a position instead of hundreds of first characters."""
    root: Trie = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[_END] = {}
    firsts = sorted(root.items())
    if not firsts:
        return None
    size = -(-len(firsts) // _BUCKETS)
    buckets = [firsts[i : i + size] for i in range(0, len(firsts), size)]
    return re.compile(
        "|".join(
            f"(?=[{''.join(re.escape(char) for char, _ in bucket)}])"
            f"(?:{'|'.join(re.escape(char) + _trie_pattern(child) for char, child in bucket)})"
            for bucket in buckets
        )
    )


class PhraseIndex:
    """Every occurrence of the phrases in folded text, overlaps included.

    A phrase that begins (ends) with an ASCII letter or digit must not be preceded (followed) by one,
    so "sue" does not match "issue" and "12315" does not match inside a phone number, while Chinese
    needs no boundary: "打12315投诉" and "APP闪退" match. A search reports the longest phrase starting
    at a position; every shorter phrase starting there is one of its prefixes, precomputed once.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        known = set(phrases)
        self._pattern = _compile(known)
        self._prefixes = {
            phrase: tuple(phrase[:size] for size in range(len(phrase), 0, -1) if phrase[:size] in known)
            for phrase in known
        }

    def find(self, folded: str) -> list[Hit]:
        if self._pattern is None:
            return []
        hits: list[Hit] = []
        position = 0
        while (found := self._pattern.search(folded, position)) is not None:
            start = found.start()
            if start == 0 or not (_is_word_char(folded[start]) and _is_word_char(folded[start - 1])):
                for phrase in self._prefixes[found.group()]:
                    end = start + len(phrase)
                    if end == len(folded) or not (_is_word_char(phrase[-1]) and _is_word_char(folded[end])):
                        hits.append(Hit(phrase, start, end))
            position = start + 1
        return hits
