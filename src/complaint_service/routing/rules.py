"""Whether a routing rule's (or an SLA policy's) conditions hold for a complaint."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from complaint_service.triage import matching


def _allows(values: Any, value: str | None) -> bool:
    return not values or value in values


def rule_matches(
    conditions: Mapping[str, Any],
    *,
    category: str | None,
    urgency: str | None,
    channel: str,
    tier: str,
    flags: Collection[str],
    text: str,
) -> bool:
    """Every present, non-empty condition must hold; empty conditions match everything.

    A complaint not yet classified (category or urgency None) fails a condition on that field.
    Phrases compare folded (case, full-width forms, whitespace), as triage phrases do.
    """
    if not (
        _allows(conditions.get("categories"), category)
        and _allows(conditions.get("urgencies"), urgency)
        and _allows(conditions.get("channels"), channel)
        and _allows(conditions.get("tiers"), tier)
    ):
        return False
    wanted_flags = conditions.get("flags")
    if wanted_flags and not set(wanted_flags).intersection(flags):
        return False
    phrases = conditions.get("phrases")
    if phrases:
        folded = matching.fold(text)
        return any(matching.fold(phrase) in folded for phrase in phrases)
    return True
