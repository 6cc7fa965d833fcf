"""Which complaints a figure covers: the caller's filters, within the departments they may see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from complaint_service.auth.scopes import Principal
from complaint_service.core.problems import Forbidden
from complaint_service.models import Complaint, Survey


@dataclass(frozen=True)
class FigureFilter:
    department: Sequence[str] = ()
    category: Sequence[str] = ()
    channel: Sequence[str] = ()
    urgency: Sequence[str] = ()
    agent_id: uuid.UUID | None = None
    # None: every department (and unrouted complaints); otherwise only these.
    visible_departments: Sequence[str] | None = None


def for_principal(
    principal: Principal,
    *,
    department: Sequence[str] = (),
    category: Sequence[str] = (),
    channel: Sequence[str] = (),
    urgency: Sequence[str] = (),
    agent_id: uuid.UUID | None = None,
) -> FigureFilter:
    """A team lead asking for a department they do not lead is refused rather than shown zeros."""
    visible = principal.visible_departments
    outside = sorted(set(department) - set(visible)) if visible is not None else []
    if outside:
        raise Forbidden(f"You do not see the figures of {', '.join(outside)}.")
    return FigureFilter(
        department=department,
        category=category,
        channel=channel,
        urgency=urgency,
        agent_id=agent_id,
        visible_departments=visible,
    )


def _channel_and_urgency(f: FigureFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.channel:
        conditions.append(Complaint.channel.in_(f.channel))
    if f.urgency:
        conditions.append(Complaint.urgency.in_(f.urgency))
    return conditions


def complaint_conditions(f: FigureFilter, *, open_only: bool = False) -> list[ColumnElement[bool]]:
    """Tickets only: a complaint merged into another counts once, as that ticket. Merging closes
    the complaint, so open ones need no such test (and the backlog is read from its index alone)."""
    conditions = _channel_and_urgency(f)
    if not open_only:
        conditions.append(Complaint.merged_into_id.is_(None))
    if f.department:
        conditions.append(Complaint.department.in_(f.department))
    if f.visible_departments is not None:
        conditions.append(Complaint.department.in_(f.visible_departments))
    if f.category:
        conditions.append(Complaint.category.in_(f.category))
    if f.agent_id is not None:
        conditions.append(Complaint.assignee_id == f.agent_id)
    return conditions


def survey_conditions(f: FigureFilter) -> list[ColumnElement[bool]]:
    """Department, category and agent as copied onto the survey at resolution: CSAT stays with
    whoever did the work even after a reassignment (see models/survey.py). Channel and urgency are
    the complaint's (the caller joins it). A survey rates a resolution, so it counts even if its
    complaint was merged into another ticket later."""
    conditions = _channel_and_urgency(f)
    if f.department:
        conditions.append(Survey.department.in_(f.department))
    if f.visible_departments is not None:
        conditions.append(Survey.department.in_(f.visible_departments))
    if f.category:
        conditions.append(Survey.category.in_(f.category))
    if f.agent_id is not None:
        conditions.append(Survey.agent_id == f.agent_id)
    return conditions
