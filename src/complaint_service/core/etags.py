"""Optimistic concurrency over HTTP: ETags from row versions, If-Match checks, stale writes as 412."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from complaint_service.core.problems import PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='The `ETag` you read (e.g. `"3"`); refused with 412 if the resource changed since.',
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, *, version: int) -> None:
    """No header writes unconditionally; `*` matches any version; weak tags never match (RFC 9110)."""
    if if_match is None:
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" in tags or etag(version) in tags:
        return
    raise PreconditionFailed(f"If-Match {if_match} does not match the current ETag {etag(version)}.")


async def flush_versioned(session: AsyncSession) -> None:
    """Flush; a concurrent writer that bumped the version first turns our UPDATE into a 412."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The resource was changed by another request; re-read and retry.") from exc
