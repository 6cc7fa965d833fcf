"""Time-ordered identifiers: UUIDv7 keys sort by creation, so keyset pages are stable."""

from __future__ import annotations

import uuid
from datetime import datetime

import uuid_utils


def uuid7() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def uuid7_floor(moment: datetime) -> uuid.UUID:
    """The smallest UUIDv7 of `moment`'s millisecond: `id >= uuid7_floor(t)` is "created at or after t",
    served by any index ending in the id."""
    millis = int(moment.timestamp() * 1000)
    return uuid.UUID(int=(millis << 80) | (0x7 << 76) | (0b10 << 62))
