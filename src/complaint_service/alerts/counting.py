"""Complaint counts per watched dimension and value, in consecutive windows ending now: one scan."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import DateTime, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Complaint
from complaint_service.models.alert import AlertDimension
from complaint_service.models.enums import ComplaintFlag

DIMENSIONS = tuple(AlertDimension)
Counts = dict[tuple[AlertDimension, str], dict[int, int]]


def _grouping_masks() -> dict[int, AlertDimension]:
    """GROUPING(a, b, c) sets a bit (first argument highest) for each column *not* in the row's set."""
    full = (1 << len(DIMENSIONS)) - 1
    return {full ^ (1 << (len(DIMENSIONS) - 1 - i)): dim for i, dim in enumerate(DIMENSIONS)}


async def window_counts(session: AsyncSession, *, now: datetime, window: timedelta, windows: int) -> Counts:
    """`{(dimension, value): {age: count}}`; age 0 is [now - window, now), age k the k-th window before.

    Counted by `received_at` (indexed), over the complaints the customers actually sent: merged
    duplicates count once (on their ticket) and complaints held as suspected abuse not at all, so
    one sender's flood is not mistaken for a product problem. Complaints not yet triaged have no
    category and count for their product and app version only.
    """
    at = bindparam("now", now, type_=DateTime(timezone=True))
    # Windows are half-open [start, end): a complaint exactly one window old belongs to age 0.
    age = func.ceil(func.extract("epoch", at - Complaint.received_at) / window.total_seconds()) - 1
    recent = (
        select(*(getattr(Complaint, d.value).label(d.value) for d in DIMENSIONS), age.label("age"))
        .where(
            Complaint.received_at >= now - window * (windows + 1),
            Complaint.received_at < now,
            Complaint.merged_into_id.is_(None),
            ~Complaint.flags.contains([ComplaintFlag.suspected_abuse.value]),
        )
        .subquery()
    )
    columns = [recent.c[d.value] for d in DIMENSIONS]
    query = select(*columns, recent.c.age, func.grouping(*columns), func.count()).group_by(
        func.grouping_sets(*(tuple_(column, recent.c.age) for column in columns))
    )
    masks = _grouping_masks()
    counts: Counts = defaultdict(dict)
    for *values, age_index, mask, count in (await session.execute(query)).all():
        dimension = masks[mask]
        value = values[DIMENSIONS.index(dimension)]
        if value is not None:
            counts[(dimension, value)][int(age_index)] = count
    return counts
