"""People's access tokens: the short-lived JWTs we issue, and an identity provider's checked on its JWKS."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from complaint_service.auth.jwks import JwksCache
from complaint_service.settings import Settings

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "iss", "sub"]


class InvalidToken(Exception):
    """Expired, forged, for someone else, or from an issuer we do not trust."""


@dataclass(frozen=True)
class Issued:
    token: str
    expires_in: int


def signing_key(settings: Settings) -> str:
    """The configured key; in development and tests, one kept in the data folder across restarts."""
    if settings.auth.jwt_secret is not None:
        return settings.auth.jwt_secret.get_secret_value()
    path = settings.data_dir / "jwt-signing-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def issue(settings: Settings, key: str, *, user_id: uuid.UUID, role: str, name: str) -> Issued:
    now = int(time.time())
    ttl = settings.auth.access_token_ttl_seconds
    claims = {
        "iss": settings.auth.issuer,
        "sub": str(user_id),
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
        "role": role,
        "name": name,
    }
    return Issued(token=jwt.encode(claims, key, algorithm=ALGORITHM), expires_in=ttl)


def unverified_issuer(token: str) -> str | None:
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as exc:
        raise InvalidToken("not a JWT") from exc
    return issuer if isinstance(issuer, str) else None


def verify_local(settings: Settings, key: str, token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], issuer=settings.auth.issuer, options={"require": _REQUIRED}
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return claims


async def verify_external(settings: Settings, jwks: JwksCache, token: str) -> dict[str, Any]:
    """Signature by a key of the provider's JWKS, its issuer and (if configured) our audience."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    key = await jwks.key_for(header.get("kid"))
    if key is None:
        raise InvalidToken("signed by a key the identity provider does not publish")
    config = settings.auth
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm_name],
            issuer=config.jwks_issuer,
            audience=config.jwks_audience,
            options={"require": _REQUIRED, "verify_aud": config.jwks_audience is not None},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return claims
