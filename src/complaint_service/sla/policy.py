"""The SLA a complaint gets: matching policies merged field by field, lowest position first."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from complaint_service.models import SlaPolicy
from complaint_service.models.enums import COMPLAINT_CLOCKS
from complaint_service.routing import rules as routing_rules
from complaint_service.sla.calendar import DEFAULT_BUSINESS_HOURS_SPEC


@dataclass(frozen=True)
class EffectivePolicy:
    policy_ids: tuple[str, ...]
    targets_minutes: Mapping[str, float]
    around_the_clock: bool
    calendar: Mapping[str, Any]
    warnings: tuple[Mapping[str, Any], ...]
    escalation: tuple[Mapping[str, Any], ...]


def _target(policy: SlaPolicy, *, urgency: str, key: str) -> Any:
    return (policy.targets.get(urgency) or {}).get(key)


def effective_policy(
    policies: Sequence[SlaPolicy],
    *,
    urgency: str,
    category: str | None,
    channel: str,
    tier: str,
    flags: Collection[str],
) -> EffectivePolicy:
    """Merge the matching policies: each field comes from the first one (by position) that sets it.

    `policies` are the enabled ones ordered by position. Targets and `around_the_clock` are read
    for `urgency` only; `around_the_clock` defaults to false and the calendar to the default
    business hours when no policy sets them. `policy_ids` lists, in order, the policies that
    contributed at least one field. Raises ValueError when a clock target stays unset.
    """
    matching = [
        p
        for p in policies
        if routing_rules.rule_matches(
            p.conditions, category=category, urgency=urgency, channel=channel, tier=tier, flags=flags, text=""
        )
    ]
    contributors: set[uuid.UUID] = set()

    def first(value_of: Callable[[SlaPolicy], Any]) -> Any:
        for policy in matching:
            value = value_of(policy)
            if value is not None:
                contributors.add(policy.id)
                return value
        return None

    targets: dict[str, float] = {}
    for kind in COMPLAINT_CLOCKS:
        minutes = first(functools.partial(_target, urgency=urgency, key=kind.value))
        if minutes is None:
            raise ValueError(f"no matching SLA policy sets {kind.value} for {urgency}")
        targets[kind.value] = minutes
    around_the_clock = first(functools.partial(_target, urgency=urgency, key="around_the_clock"))
    calendar = first(lambda p: p.calendar)
    warnings = first(lambda p: p.warnings)
    escalation = first(lambda p: p.escalation)
    return EffectivePolicy(
        policy_ids=tuple(str(p.id) for p in matching if p.id in contributors),
        targets_minutes=targets,
        around_the_clock=bool(around_the_clock),
        calendar=calendar if calendar is not None else DEFAULT_BUSINESS_HOURS_SPEC,
        warnings=tuple(warnings or ()),
        escalation=tuple(escalation or ()),
    )
