"""E-mail channel: a raw RFC 822/MIME message (message/rfc822) becomes a complaint draft."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import ComplaintDraft, IdentityIn
from complaint_service.intake.channels.email_decoding import (
    decode_header_value,
    encoded_word_charsets,
    first_header,
    raw_header_text,
    raw_header_values,
)
from complaint_service.intake.channels.email_mime import MIME_ERRORS, MimeContent, extract_content
from complaint_service.intake.channels.email_text import strip_quoted, strip_reply_prefixes, tidy
from complaint_service.models.enums import Channel, ComplaintFlag, IdentityKind

MAX_BODY_CHARS = 100_000
_MAX_THREAD_REFS = 20
_MAX_ATTACHMENTS = 100
_MAX_ID_CHARS = 512
_MAX_ADDRESS_CHARS = 320
_MAX_LINE_OCTETS = 998  # RFC 5322 section 2.1.1, not counting the CRLF

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_CHARSET_LABEL = re.compile(r"[a-z0-9_.:-]{1,40}")

_AUTO_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply"}
)
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(out of office|automatic reply|auto:|auto-?reply|undeliverable|undelivered mail"
    r"|delivery status notification|mail delivery failed|returned mail"
    r"|自动回复|自动答复|自動回覆|自動回復|退信|系统退信)",
    re.I,
)


def _is_address(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local and domain) and address.isprintable() and " " not in address


def _addresses(part: MIMEPart, name: str) -> list[tuple[str, str]]:
    pairs = getaddresses([raw_header_text(value) for value in raw_header_values(part, name)])
    return [(display, addr.strip().lower()) for display, addr in pairs if _is_address(addr.strip())]


def _message_ids(value: str | None) -> list[str]:
    if value is None:
        return []
    return _MESSAGE_ID.findall(value) or [token for token in value.split() if "@" in token]


def _header_lines(raw: bytes) -> list[bytes]:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends, default=len(raw))].split(b"\n")


def _parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise MalformedPayload("The e-mail message is empty.")
    if any(len(line.rstrip(b"\r")) > _MAX_LINE_OCTETS for line in _header_lines(raw)):
        raise MalformedPayload(
            f"A header line is longer than the {_MAX_LINE_OCTETS} octets RFC 5322 allows; fold it."
        )
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except MIME_ERRORS as exc:
        raise MalformedPayload("The e-mail message cannot be parsed as MIME.") from exc
    if not message.keys():
        raise MalformedPayload("The payload does not start with mail headers; send the raw RFC 822 message.")
    return message


def _external_id(message: MIMEPart, raw: bytes) -> tuple[str, str | None]:
    """(external id, Message-ID); without a Message-ID the raw bytes' hash makes redelivery idempotent."""
    header = first_header(message, "Message-ID")
    found = _message_ids(header)
    message_id = found[0] if found else "".join((header or "").split()).strip("<>") or None
    if message_id is None:
        return "sha256:" + hashlib.sha256(raw).hexdigest(), None
    if len(message_id) > _MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest(), message_id
    return message_id, message_id


def _received_at(message: MIMEPart) -> datetime | None:
    value = first_header(message, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _thread_refs(message: MIMEPart, own_id: str | None) -> list[str]:
    """In-Reply-To first, then References newest-first (the header lists them oldest-first)."""
    in_reply_to = _message_ids(first_header(message, "In-Reply-To"))
    references = _message_ids(first_header(message, "References"))
    ordered = dict.fromkeys([*in_reply_to, *reversed(references)])
    ordered.pop(own_id or "", None)
    return [ref for ref in ordered if len(ref) <= _MAX_ID_CHARS][:_MAX_THREAD_REFS]


def _auto_generated_reason(message: MIMEPart, sender: str, subject: str | None) -> str | None:
    submitted = (first_header(message, "Auto-Submitted") or "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"auto-submitted: {submitted[:50]}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if raw_header_values(message, name):
            return name.lower()
    precedence = (first_header(message, "Precedence") or "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"precedence: {precedence}"
    local_part = sender.rpartition("@")[0]
    if local_part in _AUTO_LOCAL_PARTS:
        return f"sender: {local_part}"
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    phrase = _AUTO_SUBJECT.match(subject or "")
    return f"subject: {phrase.group(1).lower()}" if phrase else None


def _sender(message: MIMEPart) -> tuple[str | None, str]:
    senders = _addresses(message, "From")
    if not senders:
        raise MalformedPayload("The message has no usable From address; a complaint needs a sender.")
    display_name, address = senders[0]
    if len(address) > _MAX_ADDRESS_CHARS:
        raise MalformedPayload("The From address is longer than an e-mail address can be.")
    return decode_header_value(display_name).strip() or None, address


@dataclass(frozen=True)
class _Text:
    new: str
    full: str
    truncated: bool
    html_only: bool


def _text(body: MimeContent) -> _Text:
    """The capped full text and its new part (quotes stripped, unless that leaves nothing)."""
    texts = [(text, from_html) for text, from_html in body.texts if text.strip()]
    full = tidy("\n\n".join(text for text, _ in texts))
    if body.cut_short and not full:
        raise MalformedPayload("The multipart message is truncated and no text part survived.")
    capped = full[:MAX_BODY_CHARS]
    html_only = bool(texts) and all(from_html for _, from_html in texts)
    return _Text(strip_quoted(capped) or capped, capped, len(full) > MAX_BODY_CHARS, html_only)


def _auto_flags(
    message: MIMEPart, sender: str, subject: str | None
) -> tuple[list[ComplaintFlag], dict[str, str]]:
    reason = _auto_generated_reason(message, sender, subject)
    if reason is not None:
        return [ComplaintFlag.auto_generated, ComplaintFlag.no_auto_reply], {"auto_generated_reason": reason}
    if raw_header_values(message, "X-Auto-Response-Suppress"):
        return [ComplaintFlag.no_auto_reply], {"no_auto_reply_reason": "x-auto-response-suppress"}
    return [], {}


def _channel_data(
    message: MIMEPart,
    sender: str,
    message_id: str | None,
    body: MimeContent,
    text: _Text,
    subject: str | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "from": sender,
        "to": [addr for _, addr in _addresses(message, "To")],
        "cc": [addr for _, addr in _addresses(message, "Cc")],
        "message_id": message_id,
    }
    reply_to = [addr for _, addr in _addresses(message, "Reply-To")]
    if reply_to:
        data["reply_to"] = reply_to
    header_words = (first_header(message, "Subject") or "") + (first_header(message, "From") or "")
    charsets = {c for c in body.charsets | encoded_word_charsets(header_words) if _CHARSET_LABEL.fullmatch(c)}
    if charsets:
        data["charsets"] = sorted(charsets)
    if text.html_only:
        data["html_only"] = True
    if text.new != text.full:
        data["full_text"] = text.full
    if text.truncated:
        data["truncated"] = True
    if len(body.attachments) > _MAX_ATTACHMENTS:
        data["attachments_omitted"] = len(body.attachments) - _MAX_ATTACHMENTS
    if subject and strip_reply_prefixes(subject) != subject:
        data["thread_subject"] = strip_reply_prefixes(subject)
    return data


def normalize_email(raw: bytes) -> ComplaintDraft:
    """One raw message, as received (bytes, never pre-decoded); MalformedPayload when it is unusable."""
    message = _parse(raw)
    customer_name, sender = _sender(message)
    body = extract_content(message)
    text = _text(body)
    raw_subject = first_header(message, "Subject")
    subject = (decode_header_value(raw_subject).strip() or None) if raw_subject is not None else None
    external_id, message_id = _external_id(message, raw)
    flags, flag_data = _auto_flags(message, sender, subject)
    return ComplaintDraft(
        channel=Channel.email,
        external_id=external_id,
        received_at=_received_at(message),
        subject=subject,
        body=text.new,
        author=sender,
        customer_name=customer_name,
        identities=[IdentityIn(kind=IdentityKind.email, value=sender)],
        attachments=body.attachments[:_MAX_ATTACHMENTS],
        flags=flags,
        channel_data=_channel_data(message, sender, message_id, body, text, subject) | flag_data,
        thread_refs=_thread_refs(message, message_id),
    )
