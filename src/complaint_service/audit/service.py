"""Writing and reading the PII audit log: every response that unmasks personal data leaves a row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.scopes import Principal
from complaint_service.core.ids import uuid7
from complaint_service.logging import current_request_id
from complaint_service.models import PiiAccess
from complaint_service.pii.detect import find_pii


@dataclass(frozen=True)
class Revealed:
    """One thing a response showed unmasked: whose, and which text it came from."""

    complaint_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    texts: tuple[str | None, ...] = ()
    kinds: tuple[str, ...] = ()


def _kinds(item: Revealed) -> list[str]:
    found = {m.kind.value for text in item.texts if text for m in find_pii(text)}
    return sorted(found | set(item.kinds))


async def record_reveals(
    session: AsyncSession,
    principal: Principal,
    request: Request,
    *,
    resource: str,
    items: Iterable[Revealed],
) -> int:
    """Written in the request's transaction, so a response that showed PII is never without its row.

    Nothing is written when the caller sees masked data, or when nothing personal was in view.
    """
    if not principal.sees_pii:
        return 0
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    rows = [
        {
            "id": uuid7(),
            "actor": principal.actor,
            "user_id": principal.user_id,
            "resource": resource,
            "complaint_id": item.complaint_id,
            "customer_id": item.customer_id,
            "kinds": kinds,
            "route": f"{request.method} {path}"[:200],
            "request_id": current_request_id(),
        }
        for item in items
        if (kinds := _kinds(item))
    ]
    if rows:
        await session.execute(insert(PiiAccess), rows)
    return len(rows)


async def list_accesses(
    session: AsyncSession,
    *,
    actor: str | None,
    user_id: uuid.UUID | None,
    complaint_id: uuid.UUID | None,
    before: uuid.UUID | None,
    limit: int,
) -> Sequence[PiiAccess]:
    query = select(PiiAccess)
    if actor is not None:
        query = query.where(PiiAccess.actor == actor)
    if user_id is not None:
        query = query.where(PiiAccess.user_id == user_id)
    if complaint_id is not None:
        query = query.where(PiiAccess.complaint_id == complaint_id)
    if before is not None:
        query = query.where(PiiAccess.id < before)
    return (await session.scalars(query.order_by(PiiAccess.id.desc()).limit(limit))).all()
