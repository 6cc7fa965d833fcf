"""Scoring solutions and resolved complaints against a query or a complaint, by character n-grams.

Everything is compared in the shared normalised form (`core.similarity`: NFKC, Traditional folded
to Simplified, punctuation dropped), so "退款沒到賬" finds a solution written "退款没到账".

A solution stores the 2- and 3-grams of its text (`terms`, GIN-indexed): a query takes bigrams when
it is Chinese and trigrams otherwise (English bigrams are too common to tell texts apart, see
`matters.matching`), and either kind meets its own in one array, so `terms && query` narrows the
candidates in PostgreSQL before they are scored here.

Suggestions compare a whole complaint with a solution, and with earlier complaints, by the measure
that decides whether two complaints are the same matter (`matters.matching.text_score`).
"""

from __future__ import annotations

from collections.abc import Sequence

from complaint_service.core.similarity import Shingles, shingles
from complaint_service.intake.language import detect_language
from complaint_service.matters.matching import text_score

SIZES = (2, 3)
MAX_CHARS = 4000
# How much of a search score the title carries: a query naming the problem a title states ranks
# that solution above one that merely mentions the words somewhere in its steps.
TITLE_WEIGHT = 0.3


def searchable(title: str, tags: Sequence[str], body: str) -> str:
    return "\n".join([title, " ".join(tags), body])[:MAX_CHARS]


def terms(text: str) -> list[str]:
    """What a solution stores for search: its bigrams and trigrams together, sorted for stable rows."""
    return sorted(frozenset().union(*(shingles(text, size=size) for size in SIZES)))


def query_size(query: str) -> int:
    return 2 if (detect_language(query) or "").startswith("zh") else 3


def coverage(query: Shingles, text: Shingles) -> float:
    """Share of the query's n-grams found in the text: a short query inside a long solution scores 1."""
    return len(query & text) / len(query) if query else 0.0


def search_score(query: Shingles, *, size: int, shared: int, title: str, tags: Sequence[str]) -> float:
    """`shared`: the query's n-grams found in the solution's stored terms (counted by PostgreSQL)."""
    if not query:
        return 0.0
    headline = shingles(" ".join([title, *tags]), size=size)
    whole = min(shared, len(query)) / len(query)
    return round((1 - TITLE_WEIGHT) * whole + TITLE_WEIGHT * coverage(query, headline), 3)


def suggestion_score(complaint_text: str, *, title: str, tags: Sequence[str], body: str) -> float:
    """The better of the complaint against the solution's headline (the problem it solves) and against
    its whole text: a title names the problem in few words, a body in many."""
    headline = " ".join([title, *tags])
    return round(
        max(text_score(complaint_text, headline), text_score(complaint_text, searchable(title, tags, body))),
        3,
    )


def boosted(score: float, *, same_category: bool, boost: float) -> float:
    return round(min(1.0, score + boost), 3) if same_category else score
