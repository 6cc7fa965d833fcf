"""Creating, listing, revoking and resolving API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from cachetools import TTLCache
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.auth.keys import display_prefix, generate_token, hash_token
from complaint_service.auth.scopes import Principal, valid_scopes
from complaint_service.core.clock import utcnow
from complaint_service.models import ApiKey


class UnknownScopeError(ValueError):
    pass


async def create_key(session: AsyncSession, *, name: str, scopes: Sequence[str]) -> tuple[ApiKey, str]:
    """Returns the row and the secret, which is shown once and never stored."""
    unknown = set(scopes) - valid_scopes()
    if unknown or not scopes:
        raise UnknownScopeError(
            f"unknown or missing scopes: {sorted(unknown)}; valid: {sorted(valid_scopes())}"
        )
    token = generate_token()
    key = ApiKey(
        name=name, prefix=display_prefix(token), token_hash=hash_token(token), scopes=sorted(set(scopes))
    )
    session.add(key)
    await session.flush()
    return key, token


async def list_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.scalars(select(ApiKey).order_by(ApiKey.id))).all()


async def revoke_key(session: AsyncSession, *, key_id: uuid.UUID) -> bool:
    result = await session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    forget_keys()
    return bool(result.rowcount)  # type: ignore[attr-defined]


# Known keys are remembered briefly: every request carries one, and looking it up was a round trip
# per request. A revocation bites at once in the process that revoked it, and within this many
# seconds everywhere else. Unknown tokens are never remembered (nothing to gain, much to flood).
KEY_CACHE_SECONDS = 5.0
_known: TTLCache[str, Principal] = TTLCache(maxsize=10_000, ttl=KEY_CACHE_SECONDS)


def forget_keys() -> None:
    _known.clear()


async def resolve_token(session: AsyncSession, *, token: str) -> Principal | None:
    digest = hash_token(token)
    if (known := _known.get(digest)) is not None:
        return known
    principal = await _lookup(session, digest)
    if principal is not None:
        _known[digest] = principal
    return principal


async def _lookup(session: AsyncSession, digest: str) -> Principal | None:
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.name, ApiKey.scopes).where(
                ApiKey.token_hash == digest, ApiKey.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return Principal(key_id=str(row.id), name=row.name, scopes=frozenset(row.scopes))
