"""Masking personal data so it can be shown to people who need not see it."""

from __future__ import annotations

import re

import phonenumbers

from complaint_service.models.enums import IdentityKind
from complaint_service.pii.detect import PiiKind, PiiMatch, find_pii, normalize_width

_DIGITS = "0123456789"
_ID_CHARS = "0123456789Xx"
_MASKED_PHONE_IDENTITY = re.compile(r"\+[0-9]{1,3} [0-9]*\*+[0-9]*")


def _mask_middle(chars: str, head: int, tail: int) -> str:
    """Keeps the ends and stars the rest; too short to keep anything safely means all stars."""
    if len(chars) <= head + tail:
        return "*" * len(chars)
    return chars[:head] + "*" * (len(chars) - head - tail) + chars[len(chars) - tail :]


def _mask_in_place(value: str, *, head: int, tail: int, significant: str) -> str:
    """Stars the middle significant characters and keeps separators, so the grouping still reads."""
    normalized = normalize_width(value)
    positions = [index for index, char in enumerate(normalized) if char in significant]
    hidden = set(positions[head : len(positions) - tail]) if len(positions) > head + tail else set(positions)
    return "".join("*" if index in hidden else char for index, char in enumerate(normalized))


def _mask_phone(value: str) -> str:
    """Prefix as written, national number without separators: "+86 138-1234-5678" → "+86 138****5678"."""
    normalized = normalize_width(value)
    national = [index for index, char in enumerate(normalized) if char in _DIGITS][-11:]
    prefix = value[: national[0]] if national else value
    return prefix + _mask_middle("".join(normalized[index] for index in national), 3, 4)


def _mask_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at:
        return _mask_opaque(value)
    return f"{local[:1]}***@{domain}"


def _mask_opaque(value: str) -> str:
    return f"{value[:4]}***{value[-2:]}" if len(value) > 8 else "***"


def _mask_phone_identity(value: str) -> str:
    if _MASKED_PHONE_IDENTITY.fullmatch(value):
        return value
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return _mask_opaque(value)
    national = str(number.national_number)
    masked = _mask_middle(national, 3, 4) if len(national) >= 10 else _mask_middle(national, 0, 2)
    return f"+{number.country_code} {masked}"


def mask_match(match: PiiMatch) -> str:
    if match.kind is PiiKind.phone:
        return _mask_phone(match.value)
    if match.kind is PiiKind.id_card:
        return _mask_in_place(match.value, head=6, tail=4, significant=_ID_CHARS)
    if match.kind is PiiKind.bank_card:
        return _mask_in_place(match.value, head=4, tail=4, significant=_DIGITS)
    return _mask_email(match.value)


def mask_text(text: str) -> str:
    """Masks until nothing is found, so the result is a fixed point and masking again changes nothing.

    A second pass is needed when digits sit in an e-mail domain ("a@13812345678.cn"). The loop ends:
    every pass removes digits or leaves an address with "***" before its "@", which never matches again.
    """
    matches = find_pii(text)
    while matches:
        parts: list[str] = []
        cursor = 0
        for match in matches:
            parts.append(text[cursor : match.start])
            parts.append(mask_match(match))
            cursor = match.end
        parts.append(text[cursor:])
        text = "".join(parts)
        matches = find_pii(text)
    return text


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask_text(text)


def mask_identity(kind: str, value: str) -> str:
    """Masks a normalized customer identity (E.164 phone, lower-cased e-mail, platform ids)."""
    if kind == IdentityKind.phone:
        return _mask_phone_identity(value)
    if kind == IdentityKind.email:
        return _mask_email(value)
    return _mask_opaque(value)
