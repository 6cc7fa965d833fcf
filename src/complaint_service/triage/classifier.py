"""Classifying a complaint: category from curated phrases, urgency from signals, repeats and tier.

Chinese is matched as plain substrings of curated phrase lists rather than through a word
segmenter: a segmenter (jieba and the like) may cut 支付失败 or 扣了两次 differently from the list
and miss them, and phrase lists are what complaint manuals provide. Simplified and Traditional
phrases are both listed, so no script conversion is needed.

Negation is deliberately light: a category phrase right after 没有/沒有/不是/并非/从未, "not", "no",
"never", "without" or "n't" (optionally with 出现/发生/被 in between) does not count, so
"没有闪退，但是快递一直没到" is about delivery. Signals are never negated. Where the negated form
is itself a complaint (没有发货, 没退款, no refund, not delivered) the phrase lists carry that form.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import groupby

from complaint_service.models.enums import Category, CustomerTier, Urgency
from complaint_service.triage.matching import Hit, fold
from complaint_service.triage.rules import Rule, RuleKind, RuleSet, SignalFlag, load_default_rules

__all__ = ["Decision", "Match", "Rule", "RuleSet", "classify", "load_default_rules"]

NEEDS_REVIEW = "needs_review"
_LEVELS = (Urgency.P1, Urgency.P2, Urgency.P3, Urgency.P4)
_NEGATION = re.compile(
    r"(?:没有|沒有|不是|并非|並非|从未|從未|\bnot|\bno|\bnever|\bwithout|n't)\s?(?:出现|出現|发生|發生|被)?\s?$"
)
_ASCII_WORD = re.compile(r"[a-z0-9']+")
# Customer tiers that raise urgency one level, and from which levels.
_TIER_RAISES: dict[CustomerTier, frozenset[Urgency]] = {
    CustomerTier.vip: frozenset(_LEVELS[1:]),
    CustomerTier.gold: frozenset({Urgency.P3, Urgency.P4}),
}


@dataclass(frozen=True)
class Match:
    """A phrase found in the text; start and end index the original text (folding keeps length)."""

    rule_id: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class Decision:
    category: Category
    urgency: Urgency
    confidence: float
    flags: tuple[str, ...]
    matches: tuple[Match, ...]
    reasons: tuple[str, ...]
    rule_version: int
    needs_review: bool


def _raised(urgency: Urgency) -> Urgency:
    return _LEVELS[max(0, _LEVELS.index(urgency) - 1)]


def _negated(folded: str, start: int) -> bool:
    return _NEGATION.search(folded, max(0, start - 12), start) is not None


def _specificity(phrase: str) -> float:
    """Longer phrases count more; an English word weighs about two Chinese characters."""
    units = sum(1 for char in phrase if not char.isascii()) + 2 * len(_ASCII_WORD.findall(phrase))
    return 1 + 0.1 * units


def _outermost(hits: list[tuple[Hit, Rule]]) -> list[tuple[Hit, Rule]]:
    """Drops hits inside a longer hit for the same category, so 扣款 does not add to 重复扣款.

    Sorted by start and then longest first, a span lies inside another exactly when an earlier,
    different span reaches as far as its end."""
    kept: list[tuple[Hit, Rule]] = []
    reach = -1
    ordered = sorted(hits, key=lambda pair: (pair[0].start, -pair[0].end))
    for (_, end), same_span in groupby(ordered, key=lambda pair: (pair[0].start, pair[0].end)):
        if end > reach:
            kept.extend(same_span)
        reach = max(reach, end)
    return kept


def _choose_category(
    votes: dict[Category, list[tuple[Hit, Rule]]], min_confidence: float, reasons: list[str]
) -> tuple[Category, float, bool]:
    scores: dict[Category, float] = {}
    for category, hits in votes.items():
        weights: dict[str, float] = {}
        for hit, rule in hits:
            weights[hit.phrase] = max(weights.get(hit.phrase, 0.0), rule.weight)
        scores[category] = sum(weight * _specificity(phrase) for phrase, weight in weights.items())
    order = list(Category)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], order.index(item[0])))
    if not ranked:
        reasons.append("no clear category: flagged for a human (no category phrase matched)")
        return Category.other, 0.0, True
    winner, best = ranked[0]
    total = sum(scores.values())
    confidence = round(best / total * min(1.0, total / 2), 3)
    if confidence < min_confidence:
        reasons.append(
            f"no clear category: flagged for a human (best guess {winner}, "
            f"confidence {confidence:.2f} < {min_confidence:.2f})"
        )
        return Category.other, confidence, True
    if len(ranked) > 1 and math.isclose(ranked[1][1], best):
        reasons.append(f"tie between {winner} and {ranked[1][0]}: {winner} chosen, flagged for a human")
        return winner, confidence, True
    reasons.append(f"category {winner} (confidence {confidence:.2f})")
    return winner, confidence, False


def _grouped(pairs: list[tuple[Hit, Rule]]) -> list[tuple[str, Rule, list[str]]]:
    """(phrase, first rule, ids of every rule that matched it) in text order: the same phrase
    listed for several scripts makes one reason, not one per rule."""
    groups: dict[tuple[str, SignalFlag | None, Urgency | None], tuple[Rule, list[str]]] = {}
    for hit, rule in sorted(pairs, key=lambda pair: pair[0].start):
        _, ids = groups.setdefault((hit.phrase, rule.flag, rule.urgency), (rule, []))
        if rule.id not in ids:
            ids.append(rule.id)
    return [(phrase, rule, ids) for (phrase, _, _), (rule, ids) in groups.items()]


def _apply_signals(urgency: Urgency, signals: list[tuple[Hit, Rule]], reasons: list[str]) -> Urgency:
    """Floors first, then each flag without a floor (repeat) raises one level, once."""
    groups = _grouped(signals)
    for phrase, rule, ids in groups:
        if rule.urgency is not None:
            label = f"{rule.flag} '{phrase}' ({', '.join(ids)})"
            if _LEVELS.index(rule.urgency) < _LEVELS.index(urgency):
                urgency = rule.urgency
                reasons.append(f"urgency raised to {urgency} by {label}")
            else:
                reasons.append(f"{label}: urgency already {urgency}")
    raised: set[SignalFlag | None] = set()
    for phrase, rule, ids in groups:
        if rule.urgency is None:
            label = f"{rule.flag} '{phrase}' ({', '.join(ids)})"
            if rule.flag in raised or urgency is Urgency.P1:
                reasons.append(f"{label}: urgency stays {urgency}")
            else:
                raised.add(rule.flag)
                reasons.append(f"urgency raised {urgency} → {_raised(urgency)} by {label}")
                urgency = _raised(urgency)
    return urgency


def classify(
    text: str,
    *,
    rules: RuleSet,
    tier: str = "standard",
    language: str | None = None,
    min_confidence: float = 0.4,
) -> Decision:
    """Never guesses silently: no or unclear evidence gives category other with needs_review.

    language restricts matching to rules tagged with it; None (use it for mixed-language text)
    matches every enabled rule. An unknown tier raises ValueError.
    """
    customer_tier = CustomerTier(tier)
    if not 0 <= min_confidence <= 1:
        raise ValueError("min_confidence is between 0 and 1")
    index = rules.index(language)
    folded = fold(text)
    reasons: list[str] = []
    votes: dict[Category, list[tuple[Hit, Rule]]] = {}
    negated: list[tuple[Hit, Rule]] = []
    signals: list[tuple[Hit, Rule]] = []
    for hit in index.phrases.find(folded):
        for rule in index.owners[hit.phrase]:
            if rule.kind is RuleKind.urgency_signal:
                signals.append((hit, rule))
            elif _negated(folded, hit.start):
                negated.append((hit, rule))
            elif rule.category is not None:
                votes.setdefault(rule.category, []).append((hit, rule))
    votes = {category: _outermost(hits) for category, hits in votes.items()}
    counted = [pair for hits in votes.values() for pair in hits]
    for verb, pairs in (("ignored negated", negated), ("matched", counted)):
        reasons.extend(f"{verb} '{phrase}' ({', '.join(ids)})" for phrase, _, ids in _grouped(pairs))

    category, confidence, needs_review = _choose_category(votes, min_confidence, reasons)
    urgency = _apply_signals(Urgency.P4 if category is Category.suggestion else Urgency.P3, signals, reasons)
    if urgency in _TIER_RAISES.get(customer_tier, frozenset()):
        reasons.append(f"tier {customer_tier} raised urgency {urgency} → {_raised(urgency)}")
        urgency = _raised(urgency)

    flags = {str(rule.flag) for _, rule in signals if rule.flag is not None}
    if needs_review:
        flags.add(NEEDS_REVIEW)
    matches = sorted(
        (Match(rule.id, hit.phrase, hit.start, hit.end) for hit, rule in [*counted, *signals]),
        key=lambda match: (match.start, match.end, match.rule_id),
    )
    return Decision(
        category=category,
        urgency=urgency,
        confidence=confidence,
        flags=tuple(sorted(flags)),
        matches=tuple(matches),
        reasons=tuple(reasons),
        rule_version=rules.version,
        needs_review=needs_review,
    )
