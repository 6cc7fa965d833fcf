"""Normalising identities so one person is recognised whichever channel they use."""

from __future__ import annotations

import phonenumbers

from complaint_service.models.enums import IdentityKind


def normalize_phone(raw: str, *, default_region: str) -> str | None:
    """E.164 when the number is valid, else None (an unparseable number identifies nobody)."""
    candidate = raw.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        parsed = phonenumbers.parse(candidate, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity(kind: IdentityKind, raw: str, *, default_region: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if kind is IdentityKind.phone:
        return normalize_phone(value, default_region=default_region)
    if kind is IdentityKind.email:
        return value.lower() if "@" in value else None
    return value
