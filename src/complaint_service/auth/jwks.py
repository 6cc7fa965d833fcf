"""An identity provider's signing keys, fetched over HTTP and cached; refreshed when it rotates them."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import structlog

log = structlog.get_logger(__name__)
# An unknown `kid` triggers a refetch (rotation), but a flood of forged kids must not hammer the IdP.
MIN_REFRESH_SECONDS = 30.0


class JwksCache:
    def __init__(self, url: str, *, ttl_seconds: float, timeout: float = 5.0) -> None:
        self._url, self._ttl, self._timeout = url, ttl_seconds, timeout
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        age = time.monotonic() - self._fetched_at
        if age > self._ttl or (kid not in self._keys and age > MIN_REFRESH_SECONDS):
            await self._refresh()
        return self._keys.get(kid) or (self._keys.get(None) if kid is None else None)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < 1:
                return  # another request refreshed while we waited
            try:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                log.warning("jwks.fetch_failed", url=self._url, error=str(exc))
                self._fetched_at = time.monotonic() - self._ttl + MIN_REFRESH_SECONDS
                return
            keys = {key.key_id: key for key in key_set.keys}
            if len(key_set.keys) == 1:
                keys.setdefault(None, key_set.keys[0])
            self._keys, self._fetched_at = keys, time.monotonic()
