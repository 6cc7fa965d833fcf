"""effective_policy against the SLA policies migration 0002 seeds (DOMAIN.md defaults)."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from complaint_service.models import SlaPolicy
from complaint_service.sla.calendar import DEFAULT_BUSINESS_HOURS_SPEC
from complaint_service.sla.policy import effective_policy

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "2026-11-22-1400_workers.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("workers_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _policy(
    name: str, position: int, conditions: dict[str, Any], targets: dict[str, Any], **rest: Any
) -> SlaPolicy:
    return SlaPolicy(
        id=uuid.uuid4(),
        name=name,
        position=position,
        conditions=conditions,
        targets=targets,
        calendar=rest.get("calendar"),
        warnings=rest.get("warnings"),
        escalation=rest.get("escalation"),
        enabled=True,
    )


@pytest.fixture(scope="module")
def seeded() -> list[SlaPolicy]:
    policies = [
        _policy(
            name, position, conditions, targets, calendar=calendar, warnings=warnings, escalation=escalation
        )
        for name, position, conditions, targets, calendar, warnings, escalation in _migration().POLICIES
    ]
    return sorted(policies, key=lambda p: p.position)


def by_name(policies: list[SlaPolicy], prefix: str) -> SlaPolicy:
    return next(p for p in policies if p.name.startswith(prefix))


def complaint(**overrides: Any) -> dict[str, Any]:
    return {
        "urgency": "P3",
        "category": "delivery_logistics",
        "channel": "email",
        "tier": "standard",
        "flags": (),
        **overrides,
    }


class TestEffectivePolicy:
    def test_an_ordinary_complaint_gets_the_defaults(self, seeded: list[SlaPolicy]) -> None:
        policy = effective_policy(seeded, **complaint())

        default = by_name(seeded, "Default")
        assert policy.targets_minutes == {
            "first_response": 1440,
            "next_response": 1440,
            "periodic_update": 2880,
            "resolution": 4320,
        }
        assert policy.policy_ids == (str(default.id),)
        assert policy.around_the_clock is False
        assert policy.calendar["timezone"] == "Asia/Shanghai"
        assert policy.calendar["use_cn_holidays"] is True
        assert [w["label"] for w in policy.warnings] == ["75%", "90%"]
        assert [step["target"] for step in policy.escalation] == ["team_lead", "supervisor", "manager"]

    def test_wechat_first_response_comes_from_the_wechat_policy(self, seeded: list[SlaPolicy]) -> None:
        policy = effective_policy(seeded, **complaint(channel="wechat"))

        assert policy.targets_minutes["first_response"] == 30
        assert policy.targets_minutes["next_response"] == 1440
        assert policy.targets_minutes["resolution"] == 4320
        assert policy.policy_ids == (str(by_name(seeded, "WeChat").id), str(by_name(seeded, "Default").id))

    def test_service_complaints_resolve_within_48_hours(self, seeded: list[SlaPolicy]) -> None:
        policy = effective_policy(seeded, **complaint(category="service_attitude"))

        assert policy.targets_minutes["resolution"] == 2880
        assert policy.targets_minutes["first_response"] == 1440
        assert policy.policy_ids == (str(by_name(seeded, "Service").id), str(by_name(seeded, "Default").id))

    def test_overrides_stack_in_position_order(self, seeded: list[SlaPolicy]) -> None:
        policy = effective_policy(seeded, **complaint(category="service_attitude", channel="wechat"))

        assert policy.targets_minutes["first_response"] == 30
        assert policy.targets_minutes["resolution"] == 2880
        assert policy.policy_ids == tuple(str(p.id) for p in seeded)

    def test_p1_runs_around_the_clock_with_its_own_targets(self, seeded: list[SlaPolicy]) -> None:
        p1 = effective_policy(seeded, **complaint(urgency="P1", category="service_attitude"))
        p2 = effective_policy(seeded, **complaint(urgency="P2"))

        assert p1.around_the_clock is True
        assert p1.targets_minutes["first_response"] == 120
        assert p1.targets_minutes["resolution"] == 1440  # the service policy sets no P1 resolution
        assert p1.policy_ids == (str(by_name(seeded, "Default").id),)
        assert p2.around_the_clock is False
        assert p2.targets_minutes["first_response"] == 720

    def test_a_missing_clock_target_is_an_error(self, seeded: list[SlaPolicy]) -> None:
        without_default = [p for p in seeded if p.conditions]
        with pytest.raises(ValueError, match="next_response"):
            effective_policy(without_default, **complaint(channel="wechat"))

    def test_the_first_policy_that_sets_a_field_wins_it(self, seeded: list[SlaPolicy]) -> None:
        vip_calendar = {**DEFAULT_BUSINESS_HOURS_SPEC, "around_the_clock": True}
        vip = _policy(
            "VIP 贵宾",
            10,
            {"tiers": ["vip"]},
            {"P3": {"first_response": 60, "around_the_clock": True}},
            calendar=vip_calendar,
            warnings=[{"label": "15 min", "minutes_before": 15}],
        )
        policies = [vip, *seeded]

        for_vip = effective_policy(policies, **complaint(tier="vip"))
        for_standard = effective_policy(policies, **complaint(tier="standard"))

        assert for_vip.targets_minutes["first_response"] == 60
        assert for_vip.around_the_clock is True
        assert for_vip.calendar == vip_calendar
        assert for_vip.warnings == ({"label": "15 min", "minutes_before": 15},)
        assert [step["label"] for step in for_vip.escalation] == ["team_lead", "supervisor", "manager"]
        assert for_vip.policy_ids[0] == str(vip.id)
        assert for_standard.targets_minutes["first_response"] == 1440
        assert str(vip.id) not in for_standard.policy_ids

    def test_flag_conditions_match_on_any_flag(self, seeded: list[SlaPolicy]) -> None:
        legal = _policy(
            "法务：24 小时内答复", 5, {"flags": ["legal_threat"]}, {"P2": {"first_response": 240}}
        )
        policies = [legal, *seeded]

        flagged = effective_policy(policies, **complaint(urgency="P2", flags=("legal_threat", "repeat")))
        plain = effective_policy(policies, **complaint(urgency="P2", flags=("repeat",)))

        assert flagged.targets_minutes["first_response"] == 240
        assert plain.targets_minutes["first_response"] == 720

    def test_without_any_calendar_the_default_business_hours_apply(self) -> None:
        targets = {"first_response": 60, "next_response": 60, "periodic_update": 120, "resolution": 480}
        bare = _policy("Bare default", 1, {}, {"P3": targets})

        policy = effective_policy([bare], **complaint())

        assert policy.calendar == DEFAULT_BUSINESS_HOURS_SPEC
        assert policy.warnings == ()
        assert policy.escalation == ()
        assert policy.targets_minutes == targets
