"""Writing solutions, who may edit them, and counting their use in replies.

Any person may write a solution (agents know what worked); its author may edit it, and so may team
leads and above (who keep the base tidy). API keys write only with the `admin` scope.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal, Role
from complaint_service.complaints import timeline
from complaint_service.core.etags import flush_versioned
from complaint_service.core.problems import FieldError, Forbidden, NotFound, UnprocessableContent
from complaint_service.knowledge import matching
from complaint_service.knowledge.schemas import SolutionIn, SolutionPatch
from complaint_service.models import Complaint, Solution


def ensure_can_write(principal: Principal) -> None:
    if principal.role is None and not principal.at_least(Role.admin):
        raise Forbidden("Solutions are written by people (or an API key with the `admin` scope).")


def ensure_can_edit(principal: Principal, solution: Solution) -> None:
    own = principal.user_id is not None and principal.user_id == solution.author_id
    if not (own or principal.at_least(Role.team_lead)):
        raise Forbidden("Only the solution's author or a team lead (or above) may edit it.")


def _index(solution: Solution) -> None:
    solution.terms = matching.terms(matching.searchable(solution.title, solution.tags, solution.body))


async def get(session: AsyncSession, *, solution_id: uuid.UUID, for_update: bool = False) -> Solution:
    solution = await session.get(
        Solution, solution_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if solution is None:
        raise NotFound(f"No solution {solution_id}.")
    return solution


async def create(session: AsyncSession, principal: Principal, *, data: SolutionIn) -> Solution:
    ensure_can_write(principal)
    solution = Solution(
        title=data.title,
        body=data.body,
        category=data.category.value if data.category else None,
        tags=data.tags,
        author=principal.actor,
        author_id=principal.user_id,
        updated_by=principal.actor,
    )
    _index(solution)
    session.add(solution)
    await session.flush()
    await session.refresh(solution)
    return solution


async def edit(
    session: AsyncSession, principal: Principal, solution: Solution, *, changes: SolutionPatch
) -> Solution:
    ensure_can_edit(principal, solution)
    sent = changes.model_fields_set
    if changes.title is not None:
        solution.title = changes.title
    if changes.body is not None:
        solution.body = changes.body
    if changes.tags is not None:
        solution.tags = changes.tags
    if "category" in sent:
        solution.category = changes.category.value if changes.category else None
    if sent:
        solution.updated_by = principal.actor
        _index(solution)
    await flush_versioned(session)
    await session.refresh(solution)
    return solution


async def record_use(
    session: AsyncSession,
    *,
    solution_id: uuid.UUID,
    complaint: Complaint,
    actor: str,
    message_id: uuid.UUID | None = None,
) -> None:
    """A reply used this solution: count it and put it on the complaint's timeline.

    A counter bump, not an edit: neither the ETag nor `updated_at` moves, so an editor's If-Match
    still holds. An unknown id is the caller's input error (422 on `solution_id`).
    """
    row = (
        await session.execute(
            update(Solution)
            .where(Solution.id == solution_id)
            .values(usage_count=Solution.usage_count + 1, updated_at=Solution.updated_at)
            .returning(Solution.title, Solution.usage_count)
        )
    ).one_or_none()
    if row is None:
        raise UnprocessableContent(
            "The solution named does not exist.",
            errors=[
                FieldError(loc=["body", "solution_id"], msg="Unknown solution.", type="unknown_solution")
            ],
        )
    await timeline.record(
        session,
        complaint_id=complaint.id,
        type="solution.used",
        actor=actor,
        data={
            "solution_id": str(solution_id),
            "title": row.title,
            "usage_count": row.usage_count,
            "message_id": str(message_id) if message_id else None,
        },
    )
