"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body bytes.

Every delivery carries three headers:

    X-Complaint-Signature: t=1795314600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
    X-Complaint-Delivery:  0193a5c2-7f30-7000-8000-0a0b0c0d0e11   (the same on every retry: dedupe on it)
    X-Complaint-Event:     message.outbound

A receiver verifies a request before parsing it:

1. Read the raw body bytes (before any JSON parsing or re-encoding).
2. Split the signature header on "," into `key=value` pairs; take `t` and every `v1`.
3. Reject the request when `t` is more than 5 minutes away from the receiver's clock (replays).
4. Compute `hex(HMAC-SHA256(secret, f"{t}.".encode() + body))` and compare it in constant time
   with each `v1`; accept when one matches.

While rotating a secret, a receiver verifies against both the old and the new secret; a sender
holding two secrets sends one `v1` per secret. `verify` below does exactly this.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Complaint-Signature"
DELIVERY_HEADER = "X-Complaint-Delivery"
EVENT_HEADER = "X-Complaint-Event"
DEFAULT_TOLERANCE_SECONDS = 300


def _secrets(secret: str | Sequence[str]) -> list[str]:
    return [secret] if isinstance(secret, str) else list(secret)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """The signature header value; one `v1` per secret when several are given."""
    return ",".join([f"t={timestamp}", *(f"v1={_digest(s, timestamp, body)}" for s in _secrets(secret))])


def _parse(header: str) -> tuple[int, list[str]] | None:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if key == "t":
            if not value.isdigit():
                return None
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return None
    return timestamp, candidates


def verify(
    secret: str | Sequence[str],
    header: str,
    body: bytes,
    *,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when any `v1` in `header` matches any secret and `t` is within the tolerance of `now`."""
    parsed = _parse(header)
    if parsed is None:
        return False
    timestamp, candidates = parsed
    if abs(now - timestamp) > tolerance_seconds:
        return False
    matched = False
    for key in _secrets(secret):
        expected = _digest(key, timestamp, body)
        for candidate in candidates:
            matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    return matched
