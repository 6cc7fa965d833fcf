"""Time-ordered identifiers: UUIDv7 keys sort by creation, so keyset pages are stable."""

from __future__ import annotations

import uuid

import uuid_utils


def uuid7() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)
