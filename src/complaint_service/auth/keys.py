"""Bearer secrets (API keys, survey links): enough entropy that a plain SHA-256 is a safe stored form."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "cs_"  # noqa: S105 - a public prefix, not a secret


def generate_token(prefix: str = TOKEN_PREFIX) -> str:
    """256 random bits; the prefix tells secret scanners (and people) what kind of secret it is."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[:10]
