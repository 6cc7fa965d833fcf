"""The MIME tree of a message walked into body texts and attachment metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors
from email.message import MIMEPart

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import Attachment
from complaint_service.intake.channels.email_decoding import (
    clean_text,
    decode_bytes,
    header_param,
    raw_header_values,
)
from complaint_service.intake.channels.email_text import html_to_text

MIME_ERRORS = (errors.MessageError, ValueError, TypeError, LookupError, IndexError, RecursionError)
_MAX_DEPTH = 20
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BODY_TYPES = frozenset({"text/plain", "text/html"})


@dataclass
class MimeContent:
    """Body texts as (text, came from HTML) in reading order, and attachment metadata."""

    texts: list[tuple[str, bool]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    charsets: set[str] = field(default_factory=set)
    cut_short: bool = False

    def has_plain_text(self) -> bool:
        return any(text.strip() and not from_html for text, from_html in self.texts)


def _payload_bytes(part: MIMEPart) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _filename(part: MIMEPart) -> str | None:
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        values = raw_header_values(part, header)
        name = header_param(values[0], header, param) if values else None
        if name and name.strip():
            return name.strip()[:500]
    return None


def _attachment_size(part: MIMEPart) -> int | None:
    if not part.is_multipart():
        return len(_payload_bytes(part))
    try:
        return sum(len(inner.as_bytes()) for inner in part.iter_parts())
    except (*MIME_ERRORS, UnicodeError):
        return None


def _leaf(part: MIMEPart, body: MimeContent) -> None:
    content_type = clean_text(part.get_content_type())
    if content_type not in _BODY_TYPES or part.get_content_disposition() == "attachment":
        size = _attachment_size(part)
        body.attachments.append(Attachment(name=_filename(part), content_type=content_type[:200], size=size))
        return
    data = _payload_bytes(part)
    charset = part.get_content_charset()
    if content_type == "text/html":
        sniffed = _META_CHARSET.search(data[:4096])
        charset = charset or (sniffed.group(1).decode("ascii").lower() if sniffed else None)
        text = html_to_text(decode_bytes(data, charset))
    else:
        text = decode_bytes(data, charset)
    if charset:
        body.charsets.add(charset)
    body.texts.append((text, content_type == "text/html"))


def _walk(part: MIMEPart, body: MimeContent, depth: int = 0) -> None:
    """Collect body text and attachment metadata; of alternatives, plain text wins over HTML."""
    if depth > _MAX_DEPTH:
        raise MalformedPayload("The MIME parts are nested too deeply.")
    if part.get_content_maintype() != "multipart":
        _leaf(part, body)
        return
    body.cut_short |= any(isinstance(defect, errors.CloseBoundaryNotFoundDefect) for defect in part.defects)
    if part.get_content_subtype() != "alternative":
        for child in part.iter_parts():
            _walk(child, body, depth + 1)
        return
    options: list[MimeContent] = []
    for child in part.iter_parts():
        option = MimeContent()
        _walk(child, option, depth + 1)
        body.attachments.extend(option.attachments)
        body.cut_short |= option.cut_short
        options.append(option)
    chosen = next((o for o in options if o.has_plain_text()), None) or next(
        (o for o in options if o.texts), None
    )
    if chosen is not None:
        body.texts.extend(chosen.texts)
        body.charsets |= chosen.charsets


def extract_content(message: MIMEPart) -> MimeContent:
    if message.get_content_maintype() == "multipart" and not message.is_multipart():
        raise MalformedPayload("The message is declared multipart but no parts can be found (boundary).")
    body = MimeContent()
    try:
        _walk(message, body)
    except MIME_ERRORS as exc:
        raise MalformedPayload("The MIME structure of the message cannot be read.") from exc
    return body
