"""Classification rules: phrase lists per category and urgency signals, validated and versioned."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, field_validator, model_validator
from pydantic.dataclasses import dataclass

from complaint_service.models.enums import Category, Urgency
from complaint_service.triage.matching import PhraseIndex, fold

Language = Literal["zh-Hans", "zh-Hant", "en"]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
_CONFIG = ConfigDict(extra="forbid")


class RuleKind(StrEnum):
    category = "category"
    urgency_signal = "urgency_signal"


class SignalFlag(StrEnum):
    legal_threat = "legal_threat"
    safety_hazard = "safety_hazard"
    security_breach = "security_breach"
    outage = "outage"
    money_lost = "money_lost"
    blocked = "blocked"
    repeat = "repeat"


@dataclass(frozen=True, config=_CONFIG)
class Rule:
    """A category rule votes for its category; a signal raises urgency to its floor, or one level
    when it has no floor. Phrases are stored folded (see matching.fold), as they are matched."""

    id: RuleId
    kind: RuleKind
    phrases: Annotated[tuple[str, ...], Field(min_length=1, max_length=2000)]
    languages: Annotated[tuple[Language, ...], Field(min_length=1)]
    category: Category | None = None
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    urgency: Urgency | None = None
    flag: SignalFlag | None = None
    description: Annotated[str, Field(max_length=500)] = ""
    enabled: bool = True

    @field_validator("phrases")
    @classmethod
    def _fold_phrases(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        folded = tuple(fold(phrase.strip()) for phrase in phrases)
        if any(not phrase or len(phrase) > 100 for phrase in folded):
            raise ValueError("every phrase must have 1 to 100 characters")
        if any(unicodedata.category(char) == "Cc" for phrase in folded for char in phrase):
            raise ValueError("phrases must not contain control characters")
        duplicates = sorted(phrase for phrase, count in Counter(folded).items() if count > 1)
        if duplicates:
            raise ValueError(f"duplicate phrases: {', '.join(duplicates)}")
        return folded

    @field_validator("description")
    @classmethod
    def _no_nul(cls, description: str) -> str:
        if "\x00" in description:
            raise ValueError("NUL characters are not allowed")
        return description

    @model_validator(mode="after")
    def _fits_kind(self) -> Rule:
        if self.kind is RuleKind.category:
            if self.category is None or self.category is Category.other:
                raise ValueError("a category rule names a category other than 'other'")
            if self.flag is not None or self.urgency is not None:
                raise ValueError("a category rule has no flag and no urgency")
        else:
            if self.flag is None or self.category is not None:
                raise ValueError("an urgency signal has a flag and no category")
            if self.flag is SignalFlag.repeat and self.urgency is not None:
                raise ValueError("a repeat signal raises urgency by one level and has no urgency floor")
        return self


@dataclass(frozen=True, config=_CONFIG)
class RuleSet:
    version: Annotated[int, Field(ge=1)]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        ids = Counter(rule.id for rule in self.rules)
        duplicates = sorted(rule_id for rule_id, count in ids.items() if count > 1)
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        return self

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RuleSet:
        """Raises pydantic.ValidationError (a ValueError) naming every invalid field."""
        return _ADAPTER.validate_python(data)

    def to_json(self) -> dict[str, Any]:
        dumped: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        return dumped

    @cached_property
    def _indexes(self) -> dict[str | None, RuleIndex]:
        return {}

    def index(self, language: str | None = None) -> RuleIndex:
        """The compiled matcher for the enabled rules of one language (None: all), built once."""
        found = self._indexes.get(language)
        if found is None:
            found = self._indexes[language] = RuleIndex(self, language)
        return found


class RuleIndex:
    """Enabled rules of a rule set, by folded phrase, with one PhraseIndex over all their phrases."""

    def __init__(self, rule_set: RuleSet, language: str | None) -> None:
        owners: dict[str, list[Rule]] = {}
        for rule in rule_set.rules:
            if rule.enabled and (language is None or language in rule.languages):
                for phrase in rule.phrases:
                    owners.setdefault(phrase, []).append(rule)
        self.owners = {phrase: tuple(rules) for phrase, rules in owners.items()}
        self.phrases = PhraseIndex(owners)


_ADAPTER = TypeAdapter(RuleSet)


@cache
def load_default_rules() -> RuleSet:
    """The shipped rule set, parsed once so its compiled matcher is reused."""
    data = resources.files("complaint_service.triage").joinpath("data", "default_rules.json")
    text = data.read_text(encoding="utf-8")
    return RuleSet.from_json(json.loads(text))
