"""Finding phone numbers, resident ID numbers, bank cards and e-mail addresses in free text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from complaint_service.core import clock


class PiiKind(StrEnum):
    phone = "phone"
    id_card = "id_card"
    bank_card = "bank_card"
    email = "email"


@dataclass(frozen=True)
class PiiMatch:
    kind: PiiKind
    start: int
    end: int
    value: str


# One-to-one replacements, so offsets in the normalized text are offsets in the original.
_HALFWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－", "0123456789Xx+-")
_FULLWIDTH_CHAR = re.compile("[０-９Ｘｘ＋－]")

# Each pattern opens with a lookahead on its first character: the engine then rejects most
# positions at once, which keeps a 100 KB text well inside a few milliseconds.
_EMAIL = re.compile(
    r"(?=[A-Za-z0-9])(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_ID_CARD = re.compile(r"(?=[0-9])(?<![0-9])[0-9]{6}(?P<sep>[ -]?)[0-9]{8}(?P=sep)[0-9]{3}[0-9Xx](?![0-9])")
_PHONE = re.compile(
    r"(?=[+0-9])(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)[0-9]{4}(?![0-9])"
)


def _grouped_card(sep: str) -> str:
    """Groups of four (the last may be shorter); digits joined by the same separator extend the run."""
    s = re.escape(sep)
    return rf"(?<![0-9]{s})[0-9]{{4}}(?:{s}[0-9]{{4}}){{3}}(?:{s}[0-9]{{1,3}})?(?!{s}[0-9])"


_BANK_CARD = re.compile(
    rf"(?=[0-9])(?<![0-9])(?:[0-9]{{16,19}}|{_grouped_card(' ')}|{_grouped_card('-')})(?![0-9])"
)
_SEPARATORS = str.maketrans("", "", " -")
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK_CHARS = "10X98765432"


def normalize_width(text: str) -> str:
    """Full-width digits, X, plus and dash as their ASCII forms; the length never changes."""
    return text.translate(_HALFWIDTH) if _FULLWIDTH_CHAR.search(text) else text


def _valid_resident_id(number: str) -> bool:
    """ISO 7064 MOD 11-2 check character and a real birth date between 1900 and this year."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK_CHARS[total % 11] != number[17].upper():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not 1900 <= year <= clock.utcnow().year:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()


def _id_cards(text: str) -> Iterator[tuple[int, int]]:
    for match in _ID_CARD.finditer(text):
        if _valid_resident_id(match.group().translate(_SEPARATORS)):
            yield match.span()


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _PHONE.finditer(text):
        yield match.span()


def _bank_cards(text: str) -> Iterator[tuple[int, int]]:
    for match in _BANK_CARD.finditer(text):
        if _luhn_valid(match.group().translate(_SEPARATORS)):
            yield match.span()


# Highest priority first: an address such as 13812345678@163.com is an e-mail, not a phone,
# and an 18-digit ID number that happens to pass Luhn is an ID, not a card.
_FINDERS: tuple[tuple[PiiKind, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    (PiiKind.email, _emails),
    (PiiKind.id_card, _id_cards),
    (PiiKind.phone, _phones),
    (PiiKind.bank_card, _bank_cards),
)


# Our own ids: a random UUID can hold a run like 173-7123-8045 that reads as a phone number.
_UUID = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])")


def find_pii(text: str) -> list[PiiMatch]:
    """Non-overlapping matches sorted by start; where two kinds overlap the higher priority wins.

    UUIDs are identifiers, never personal data: nothing inside one is matched.
    """
    normalized = normalize_width(text)
    claimed = bytearray(len(text))
    for uuid_match in _UUID.finditer(normalized):
        claimed[uuid_match.start() : uuid_match.end()] = b"\x01" * (uuid_match.end() - uuid_match.start())
    matches: list[PiiMatch] = []
    for kind, finder in _FINDERS:
        for start, end in finder(normalized):
            if claimed.find(1, start, end) != -1:
                continue
            claimed[start:end] = b"\x01" * (end - start)
            matches.append(PiiMatch(kind=kind, start=start, end=end, value=text[start:end]))
    matches.sort(key=lambda match: match.start)
    return matches


def contains_pii(text: str | None) -> bool:
    return text is not None and bool(find_pii(text))
