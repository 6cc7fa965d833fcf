"""Who may read, answer and withdraw a collaboration request: the two departments it joins, and above."""

from __future__ import annotations

from complaint_service.auth.scopes import Principal, Role
from complaint_service.core.problems import Forbidden
from complaint_service.models import CollaborationRequest


def may_read(principal: Principal, request: CollaborationRequest, complaint_department: str | None) -> bool:
    """Both sides: whoever reaches the complaint, and the departments asking and asked."""
    return (
        principal.can_access(complaint_department)
        or request.to_department in principal.departments
        or (request.from_department is not None and request.from_department in principal.departments)
    )


def ensure_can_read(
    principal: Principal, request: CollaborationRequest, complaint_department: str | None
) -> None:
    if not may_read(principal, request, complaint_department):
        raise Forbidden("This collaboration request is between departments you do not work for.")


def ensure_can_respond(principal: Principal, request: CollaborationRequest) -> None:
    """The department asked answers for itself; supervisors and above may answer for any."""
    if request.to_department not in principal.departments and not principal.at_least(Role.supervisor):
        raise Forbidden(
            f"Only the {request.to_department} department (or a supervisor) answers this request."
        )


def ensure_can_cancel(
    principal: Principal, request: CollaborationRequest, complaint_department: str | None
) -> None:
    """The asking side withdraws: the requester, or whoever works the complaint or the asking department."""
    if (
        principal.actor == request.requested_by
        or principal.can_access(complaint_department)
        or (request.from_department is not None and principal.can_access(request.from_department))
    ):
        return
    raise Forbidden("Only the asking side (or a supervisor) withdraws a collaboration request.")


def inbox_departments(principal: Principal, asked: list[str] | None) -> list[str] | None:
    """The departments an inbox lists: those asked for, within the caller's reach; None is every one."""
    if principal.sees_all_departments:
        return asked or None
    if asked:
        outside = sorted(set(asked) - principal.departments)
        if outside:
            raise Forbidden(f"You do not work for {', '.join(outside)}.")
        return asked
    return sorted(principal.departments)
