"""Field types and small mappers shared by the JSON channel payloads."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.config import JsonDict

from complaint_service.core.schemas import Schema
from complaint_service.intake.channels.base import Attachment

CHANNEL_TZ = ZoneInfo("Asia/Shanghai")
BODY_MAX = 20_000
NAIVE_TZ_NOTE = "A timestamp without an offset is read as Asia/Shanghai time."


def _assume_channel_tz(value: datetime) -> datetime:
    """Channel systems in China often send local wall time without an offset; that time is Beijing time."""
    return value if value.utcoffset() is not None else value.replace(tzinfo=CHANNEL_TZ)


def _int_as_str(value: Any) -> Any:
    """Ids beyond 2**53 arrive as JSON numbers from some gateways; keep them exact as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _plausible_phone(value: str) -> str:
    if not set(value) <= set("0123456789+-()./ "):
        raise ValueError("a phone number holds only digits, spaces, '+', '-', '(', ')', '.' or '/'")
    if not 5 <= sum(ch.isdigit() for ch in value) <= 20:
        raise ValueError("a phone number has between 5 and 20 digits")
    return value


Timestamp = Annotated[datetime, AfterValidator(_assume_channel_tz)]
# Constraints before validators: pydantic checks lengths placed after a validator before stripping.
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), BeforeValidator(_int_as_str)
]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BODY_MAX)]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=5, max_length=32),
    AfterValidator(_plausible_phone),
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]


def _splittable_url(value: str) -> str:
    """The pattern lets through what `urlsplit` refuses (`http://[`); refuse it here, as a field error."""
    urlsplit(value)
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://\S+$"),
    AfterValidator(_splittable_url),
]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]


def payload_config(*examples: JsonDict) -> ConfigDict:
    """The base `Schema` config plus OpenAPI examples."""
    return ConfigDict(**Schema.model_config, json_schema_extra={"examples": [*examples]})


def attachment_from_url(url: str, *, content_type: str | None = None, size: int | None = None) -> Attachment:
    """Attachment metadata for a URL: the file name, and the media type unless given, come from its path."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name[-255:]
    return Attachment(
        name=name or None, content_type=content_type or mimetypes.guess_type(name)[0], size=size, url=url
    )


def compact(**values: Any) -> dict[str, Any]:
    """JSON-ready channel data: unset and empty values dropped, timestamps as ISO 8601."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values.items()
        if value is not None and not (isinstance(value, str | list | dict) and not value)
    }
