"""Search the base for a query, and suggest solutions and solved cases for a complaint."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.core.jobs import session_settings
from complaint_service.core.similarity import shingles
from complaint_service.knowledge import matching, repository
from complaint_service.matters.matching import text_score
from complaint_service.models import Complaint, Solution
from complaint_service.models.enums import ComplaintStatus, ResolutionCode

# Resolutions that say nothing about how to solve the matter.
NOT_SOLVED = (
    ResolutionCode.abuse.value,
    ResolutionCode.merged.value,
    ResolutionCode.duplicate.value,
    ResolutionCode.withdrawn.value,
    ResolutionCode.no_response.value,
)
DONE = (ComplaintStatus.resolved.value, ComplaintStatus.closed.value)


@dataclass(frozen=True)
class Scored:
    solution: Solution
    score: float
    same_category: bool = False


@dataclass(frozen=True)
class ScoredComplaint:
    complaint: Complaint
    score: float


async def search(
    session: AsyncSession, *, query: str, where: repository.SolutionFilter, limit: int
) -> list[Scored]:
    config = session_settings(session).knowledge
    size = matching.query_size(query)
    wanted = shingles(query, size=size)
    found = await repository.candidates(session, terms=wanted, where=where, limit=config.max_candidates)
    scored = [
        Scored(
            solution,
            matching.search_score(wanted, size=size, shared=shared, title=solution.title, tags=solution.tags),
        )
        for solution, shared in found
    ]
    hits = [s for s in scored if s.score >= config.search_min_score]
    hits.sort(key=lambda s: (-s.score, -s.solution.usage_count, s.solution.title))
    return hits[:limit]


def complaint_text(complaint: Complaint) -> str:
    return "\n".join(part for part in (complaint.subject, complaint.body) if part)


async def solutions_for(session: AsyncSession, *, complaint: Complaint, limit: int) -> list[Scored]:
    config = session_settings(session).knowledge
    text = complaint_text(complaint)
    wanted = shingles(text, size=matching.query_size(text))
    found = await repository.candidates(
        session, terms=wanted, where=repository.SolutionFilter(), limit=config.max_candidates
    )
    scored = []
    for solution, _ in found:
        base = matching.suggestion_score(text, title=solution.title, tags=solution.tags, body=solution.body)
        if base < config.suggestion_min_score:
            continue
        same = complaint.category is not None and solution.category == complaint.category
        scored.append(
            Scored(solution, matching.boosted(base, same_category=same, boost=config.category_boost), same)
        )
    scored.sort(key=lambda s: (-s.score, -s.solution.usage_count))
    return scored[:limit]


async def complaints_like(
    session: AsyncSession, principal: Principal, *, complaint: Complaint, limit: int
) -> list[ScoredComplaint]:
    """Resolved complaints the caller may see, most recent first up to the configured number, by
    the measure that finds repeats: the cases an agent would want to read before answering."""
    config = session_settings(session).knowledge
    query = select(Complaint).where(
        Complaint.status.in_(DONE),
        Complaint.id != complaint.id,
        Complaint.resolution_summary.is_not(None),
        Complaint.resolution_code.not_in(NOT_SOLVED),
        Complaint.merged_into_id.is_(None),
    )
    if principal.visible_departments is not None:
        query = query.where(Complaint.department.in_(principal.visible_departments))
    rows = (
        await session.scalars(query.order_by(Complaint.id.desc()).limit(config.complaint_candidates))
    ).all()
    text = complaint_text(complaint)
    scored = []
    for other in rows:
        base = text_score(text, complaint_text(other))
        if base < config.suggestion_min_score:
            continue
        same = complaint.category is not None and other.category == complaint.category
        scored.append(
            ScoredComplaint(other, matching.boosted(base, same_category=same, boost=config.category_boost))
        )
    scored.sort(key=lambda s: -s.score)
    return scored[:limit]
