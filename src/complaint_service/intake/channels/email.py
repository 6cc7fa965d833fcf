"""E-mail channel: a raw RFC 822/MIME message (message/rfc822) becomes a complaint draft."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import errors
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import Attachment, ComplaintDraft, IdentityIn
from complaint_service.intake.channels.email_decoding import (
    clean_text,
    decode_bytes,
    decode_header_value,
    encoded_word_charsets,
    header_param,
    raw_header_text,
)
from complaint_service.intake.channels.email_text import (
    html_to_text,
    strip_quoted,
    strip_reply_prefixes,
    tidy,
)
from complaint_service.models.enums import Channel, ComplaintFlag, IdentityKind

MAX_BODY_CHARS = 100_000
_MAX_DEPTH = 20
_MAX_THREAD_REFS = 20
_MAX_ID_CHARS = 512
_MAX_ADDRESS_CHARS = 320

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_CHARSET_LABEL = re.compile(r"[a-z0-9_.:-]{1,40}")
_BODY_TYPES = frozenset({"text/plain", "text/html"})
_PARSE_ERRORS = (errors.MessageError, ValueError, TypeError, LookupError, IndexError, RecursionError)

_AUTO_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply"}
)
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of office|automatic reply|auto:|auto-?reply|undeliverable|undelivered mail"
    r"|delivery status notification|mail delivery failed|returned mail"
    r"|自动回复|自动答复|自動回覆|自動回復|退信|系统退信)",
    re.I,
)


@dataclass
class _Body:
    texts: list[tuple[str, bool]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    charsets: set[str] = field(default_factory=set)
    cut_short: bool = False

    def has_plain_text(self) -> bool:
        return any(text.strip() and not from_html for text, from_html in self.texts)


def _raw_values(part: MIMEPart, name: str) -> list[str]:
    """Header values as sent: policy.default decodes RFC 2047 with the too-narrow GB2312 codec."""
    wanted = name.lower()
    return [str(value) for key, value in part.raw_items() if key.lower() == wanted]


def _first(part: MIMEPart, name: str) -> str | None:
    values = _raw_values(part, name)
    return raw_header_text(values[0]) if values else None


def _is_address(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local and domain) and address.isprintable() and " " not in address


def _addresses(part: MIMEPart, name: str) -> list[tuple[str, str]]:
    pairs = getaddresses([raw_header_text(value) for value in _raw_values(part, name)])
    return [(display, addr.strip().lower()) for display, addr in pairs if _is_address(addr.strip())]


def _message_ids(value: str | None) -> list[str]:
    if value is None:
        return []
    return _MESSAGE_ID.findall(value) or [token for token in value.split() if "@" in token]


def _parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise MalformedPayload("The e-mail message is empty.")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except _PARSE_ERRORS as exc:
        raise MalformedPayload("The e-mail message cannot be parsed as MIME.") from exc
    if not message.keys():
        raise MalformedPayload("The payload does not start with mail headers; send the raw RFC 822 message.")
    return message


def _external_id(message: MIMEPart, raw: bytes) -> tuple[str, str | None]:
    """(external id, Message-ID); without a Message-ID the raw bytes' hash makes redelivery idempotent."""
    header = _first(message, "Message-ID")
    found = _message_ids(header)
    message_id = found[0] if found else "".join((header or "").split()).strip("<>") or None
    if message_id is None:
        return "sha256:" + hashlib.sha256(raw).hexdigest(), None
    if len(message_id) > _MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest(), message_id
    return message_id, message_id


def _received_at(message: MIMEPart) -> datetime | None:
    value = _first(message, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _thread_refs(message: MIMEPart, own_id: str | None) -> list[str]:
    """In-Reply-To first, then References newest-first (the header lists them oldest-first)."""
    in_reply_to = _message_ids(_first(message, "In-Reply-To"))
    references = _message_ids(_first(message, "References"))
    ordered = dict.fromkeys([*in_reply_to, *reversed(references)])
    ordered.pop(own_id or "", None)
    return [ref for ref in ordered if len(ref) <= _MAX_ID_CHARS][:_MAX_THREAD_REFS]


def _auto_generated_reason(message: MIMEPart, sender: str, subject: str | None) -> str | None:
    submitted = (_first(message, "Auto-Submitted") or "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"auto-submitted: {submitted[:50]}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _raw_values(message, name):
            return name.lower()
    precedence = (_first(message, "Precedence") or "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"precedence: {precedence}"
    local_part = sender.rpartition("@")[0]
    if local_part in _AUTO_LOCAL_PARTS:
        return f"sender: {local_part}"
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    if subject and _AUTO_SUBJECT.match(subject):
        return "subject"
    return None


def _payload_bytes(part: MIMEPart) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _filename(part: MIMEPart) -> str | None:
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        values = _raw_values(part, header)
        name = header_param(values[0], header, param) if values else None
        if name and name.strip():
            return name.strip()[:500]
    return None


def _attachment_size(part: MIMEPart) -> int | None:
    if not part.is_multipart():
        return len(_payload_bytes(part))
    try:
        return sum(len(inner.as_bytes()) for inner in part.iter_parts())
    except (*_PARSE_ERRORS, UnicodeError):
        return None


def _leaf(part: MIMEPart, body: _Body) -> None:
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


def _walk(part: MIMEPart, body: _Body, depth: int = 0) -> None:
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
    options: list[_Body] = []
    for child in part.iter_parts():
        option = _Body()
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


def _extract(message: MIMEPart) -> _Body:
    if message.get_content_maintype() == "multipart" and not message.is_multipart():
        raise MalformedPayload("The message is declared multipart but no parts can be found (boundary).")
    body = _Body()
    try:
        _walk(message, body)
    except _PARSE_ERRORS as exc:
        raise MalformedPayload("The MIME structure of the message cannot be read.") from exc
    return body


def normalize_email(raw: bytes) -> ComplaintDraft:
    message = _parse(raw)
    senders = _addresses(message, "From")
    if not senders:
        raise MalformedPayload("The message has no usable From address; a complaint needs a sender.")
    display_name, sender = senders[0]
    if len(sender) > _MAX_ADDRESS_CHARS:
        raise MalformedPayload("The From address is longer than an e-mail address can be.")
    body = _extract(message)

    texts = [text for text, _ in body.texts if text.strip()]
    full_text = tidy("\n\n".join(texts))
    if body.cut_short and not full_text:
        raise MalformedPayload("The multipart message is truncated and no text part survived.")
    truncated = len(full_text) > MAX_BODY_CHARS
    full_text = full_text[:MAX_BODY_CHARS]
    new_text = strip_quoted(full_text) or full_text

    raw_subject = _first(message, "Subject")
    subject = (decode_header_value(raw_subject).strip() or None) if raw_subject is not None else None
    raw_from = _first(message, "From") or ""
    external_id, message_id = _external_id(message, raw)
    data: dict[str, Any] = {
        "from": sender,
        "to": [addr for _, addr in _addresses(message, "To")],
        "cc": [addr for _, addr in _addresses(message, "Cc")],
        "message_id": message_id,
    }
    reply_to = [addr for _, addr in _addresses(message, "Reply-To")]
    if reply_to:
        data["reply_to"] = reply_to
    declared = body.charsets | encoded_word_charsets(raw_subject or "") | encoded_word_charsets(raw_from)
    charsets = {label for label in declared if _CHARSET_LABEL.fullmatch(label)}
    if charsets:
        data["charsets"] = sorted(charsets)
    if texts and all(from_html for text, from_html in body.texts if text.strip()):
        data["html_only"] = True
    if new_text != full_text:
        data["full_text"] = full_text
    if truncated:
        data["truncated"] = True
    if subject and strip_reply_prefixes(subject) != subject:
        data["thread_subject"] = strip_reply_prefixes(subject)

    flags: list[ComplaintFlag] = []
    reason = _auto_generated_reason(message, sender, subject)
    if reason is not None:
        flags = [ComplaintFlag.auto_generated, ComplaintFlag.no_auto_reply]
        data["auto_generated_reason"] = reason
    elif _raw_values(message, "X-Auto-Response-Suppress"):
        flags = [ComplaintFlag.no_auto_reply]
        data["no_auto_reply_reason"] = "x-auto-response-suppress"

    return ComplaintDraft(
        channel=Channel.email,
        external_id=external_id,
        received_at=_received_at(message),
        subject=subject,
        body=new_text,
        author=sender,
        customer_name=decode_header_value(display_name).strip() or None,
        identities=[IdentityIn(kind=IdentityKind.email, value=sender)],
        attachments=body.attachments,
        flags=flags,
        channel_data=data,
        thread_refs=_thread_refs(message, message_id),
    )
