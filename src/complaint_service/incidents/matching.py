"""Is a report part of an outage? Same category is given; then the words, or the same build and fewer words.

Text is scored by the measure "one ticket per matter" uses (`matters.matching.text_score`:
containment of script-aware n-grams of the normalised text), since different customers describe
one outage in sentences of very different length. Two reports naming the same app version or
product SKU need fewer words in common: "5.2.1 闪退" and "升级到5.2.1后打不开" are one crash; once
an incident is known by its build, the build alone decides (see `belongs`).
"""

from __future__ import annotations

from collections.abc import Iterable

from complaint_service.core.similarity import opening
from complaint_service.incidents.repository import Report
from complaint_service.matters.matching import text_score
from complaint_service.models import Incident
from complaint_service.settings import IncidentConfig


def _same_build(left: Report, right: Report) -> bool:
    return bool(
        (left.app_version and left.app_version == right.app_version)
        or (left.product_sku and left.product_sku == right.product_sku)
    )


def resembles(new: Report, old: Report, *, config: IncidentConfig) -> bool:
    threshold = config.same_version_similarity if _same_build(new, old) else config.similarity
    return text_score(opening(new.subject, new.body), opening(old.subject, old.body)) >= threshold


def headline(incident: Incident) -> Report:
    """The incident's own words (title, description), compared like a report: a supervisor's
    incident titled "支付失败" collects complaints saying so before any is linked by hand."""
    return Report(
        incident.id,
        None,
        incident.title,
        incident.description or "",
        incident.app_version,
        incident.product_sku,
    )


def by_build(report: Report, incident: Incident) -> bool | None:
    """Decides when both state an app version or SKU; None when the words must.

    An incident has an app version or SKU only when every report that opened it stated that one
    (or a supervisor set it): a report of its category on that build is that outage, in whatever
    language, and a report on another build is another problem.
    """
    for mine, theirs in (
        (report.app_version, incident.app_version),
        (report.product_sku, incident.product_sku),
    ):
        if mine and theirs:
            return mine == theirs
    return None


def resembles_any(report: Report, others: Iterable[Report], *, config: IncidentConfig) -> bool:
    return any(resembles(report, other, config=config) for other in others)


def belongs(report: Report, incident: Incident, samples: Iterable[Report], *, config: IncidentConfig) -> bool:
    """The incident's build decides when both state one; otherwise any resemblance to it links."""
    decided = by_build(report, incident)
    if decided is not None:
        return decided
    return resembles_any(report, (headline(incident), *samples), config=config)


def shared(values: Iterable[str | None]) -> str | None:
    """The value every report states, when they all state the same one."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None
