"""Schema bases shared by every feature: NUL-safe input, ORM-readable output, keyset pages."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from complaint_service.core.problems import BadRequest

T = TypeVar("T")
# `pattern=` for path and query strings that reach PostgreSQL, whose text cannot hold NUL.
NO_NUL = r"^[^\x00]*$"


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_contains_nul(v) for v in value)
    return False


class Schema(BaseModel):
    """Base for API bodies: rejects NUL characters, which PostgreSQL text cannot store."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("NUL characters are not allowed")
        return value


class Page(Schema, Generic[T]):
    """One page of a keyset-paginated list; pass `next_cursor` back as `cursor` for the next."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Opaque cursor for the next page; null on the last page."
    )


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("The cursor is not one this API issued.") from exc
