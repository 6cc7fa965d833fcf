"""Bytes and header words to Unicode the way real Chinese mail needs: GB labels read as GB18030."""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from email.message import Message, MIMEPart

# Labels Python does not know, or knows as a narrower codec than senders actually use.
_GB_LABELS = frozenset({"gb_2312-80", "gb2312-80", "x-gbk", "x-gb2312", "csgb2312", "ms936", "windows-936"})
_GB_CODECS = frozenset({"gb2312", "gbk", "gb18030"})
_BIG5_LABELS = frozenset({"x-big5", "cn-big5", "big-5", "csbig5", "big5-hkscs", "ms950", "x-x-big5"})
_BIG5_CODECS = frozenset({"big5", "big5hkscs", "cp950"})
_FALLBACK_CODECS = ("utf-8", "gb18030")

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_RFC2231_PARAM = tuple[str | None, str | None, str]


def codecs_for(charset: str | None) -> tuple[str, ...]:
    """Codecs to try for a declared charset, strictest meaning first; empty when unknown."""
    if not charset:
        return ()
    label = charset.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return ("gb18030",)
    if label in _BIG5_LABELS:
        return ("big5", "cp950", "big5hkscs")
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return ()
    if name in _GB_CODECS:
        return ("gb18030",)
    if name in _BIG5_CODECS:
        return ("big5", "cp950", "big5hkscs")
    return (name,)


def clean_text(text: str) -> str:
    """Drop what PostgreSQL text and JSON cannot hold: NUL and lone surrogates."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, then UTF-8, then GB18030; never fail (bad bytes become U+FFFD).

    Chinese senders often mislabel GBK as us-ascii or UTF-8, hence GB18030 as the last strict try.
    """
    candidates = list(dict.fromkeys((*codecs_for(charset), *_FALLBACK_CODECS)))
    for codec in candidates:
        try:
            return clean_text(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    return clean_text(data.decode(candidates[0], errors="replace"))


def raw_header_text(value: str) -> str:
    """Unfold a raw header value and decode stray 8-bit bytes (kept by the parser as surrogates)."""
    unfolded = _FOLD.sub("", value).strip()
    if not _SURROGATE.search(unfolded):
        return clean_text(unfolded)
    return decode_bytes(unfolded.encode("utf-8", "surrogateescape"), None)


def _word_bytes(encoding: str, text: str) -> bytes | None:
    data = text.encode("utf-8", "surrogateescape")
    if encoding in "bB":
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4))
        except binascii.Error:
            return None
    return quopri.decodestring(data, header=True)


def _charset_label(word_charset: str) -> str:
    return word_charset.split("*", 1)[0].lower()


def decode_header_value(value: str) -> str:
    """RFC 2047 decoding with our charset mapping; adjacent words of one charset join before decoding.

    Clients split multi-byte characters across encoded words, so bytes are pooled per charset run.
    Undecodable words stay as written instead of failing the message.
    """
    text = raw_header_text(value)
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    position = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(decode_bytes(bytes(pending), pending_charset))
        pending.clear()
        pending_charset = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        position = match.end()
        data = _word_bytes(match.group(2), match.group(3))
        if data is None:
            flush()
            pieces.extend((between, match.group(0)))
            continue
        if between and not (between.isspace() and pending_charset is not None):
            flush()
            pieces.append(between)
        charset = _charset_label(match.group(1))
        if charset != pending_charset:
            flush()
            pending_charset = charset
        pending.extend(data)
    flush()
    pieces.append(text[position:])
    return clean_text("".join(pieces))


def encoded_word_charsets(value: str) -> set[str]:
    return {_charset_label(m.group(1)) for m in _ENCODED_WORD.finditer(value)}


def header_param(raw_value: str, header: str, name: str) -> str | None:
    """One parameter of a raw MIME header, RFC 2231 and (non-standard but common) RFC 2047 decoded."""
    holder = Message()
    holder[header] = raw_header_text(raw_value)
    value: str | _RFC2231_PARAM | None = holder.get_param(name, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _language, encoded = value
        try:
            data = encoded.encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:
            return clean_text(encoded)
        return decode_bytes(data, charset)
    return decode_header_value(value)


def raw_header_values(part: MIMEPart, name: str) -> list[str]:
    """Header values as sent: policy.default decodes RFC 2047 with the too-narrow GB2312 codec."""
    wanted = name.lower()
    return [str(value) for key, value in part.raw_items() if key.lower() == wanted]


def first_header(part: MIMEPart, name: str) -> str | None:
    values = raw_header_values(part, name)
    return raw_header_text(values[0]) if values else None
