"""WeChat official-account message pushes (plain-mode XML) normalized into complaint drafts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from pydantic import ValidationError

from complaint_service.core.problems import MalformedPayload
from complaint_service.intake.channels.base import ComplaintDraft, Ignored
from complaint_service.models.enums import Channel, IdentityKind

_Attachment = dict[str, str | None]
_Parsed = tuple[str, list[_Attachment]]
_UTF8_BOM = b"\xef\xbb\xbf"
_DECLARED_ENCODING = re.compile(r"""\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_AUDIO_FORMAT = re.compile(r"[a-z0-9][a-z0-9.+-]{0,30}")


def parse_xml(xml: bytes) -> Element:
    """The root `<xml>` element of a WeChat document.

    WeChat only sends UTF-8, so anything else (bytes or declaration) is refused rather than
    guessed at. DTDs are forbidden outright, which also stops entity expansion (billion laughs)
    and external entities (XXE) before any of them is resolved.
    """
    try:
        text = xml.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedPayload("WeChat XML must be UTF-8 encoded.") from exc
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        raise MalformedPayload("WeChat XML must declare UTF-8 (or no encoding).")
    try:
        root: Element = safe_xml.fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise MalformedPayload("WeChat XML must not contain a DTD or entity declarations.") from exc
    except ParseError as exc:
        raise MalformedPayload("WeChat XML is not well-formed.") from exc
    if root.tag != "xml":
        raise MalformedPayload("WeChat XML must have <xml> as its root element.")
    return root


def _text(root: Element, name: str) -> str | None:
    value = root.findtext(name)
    if value is None:
        return None
    return value.strip() or None


def _required(root: Element, name: str) -> str:
    value = _text(root, name)
    if value is None:
        raise MalformedPayload(f"WeChat push lacks <{name}>.")
    return value


def _created_at(create_time: str) -> datetime:
    if not (create_time.isascii() and create_time.isdigit() and len(create_time) <= 12):
        raise MalformedPayload("WeChat <CreateTime> must be unix seconds.")
    try:
        return datetime.fromtimestamp(int(create_time), tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedPayload("WeChat <CreateTime> is out of range.") from exc


def _audio_type(audio_format: str | None) -> str | None:
    fmt = (audio_format or "").lower()
    return f"audio/{fmt}" if _AUDIO_FORMAT.fullmatch(fmt) else None


def _media(root: Element, content_type: str | None = None, url: str | None = None) -> list[_Attachment]:
    return [{"content_type": content_type, "url": url, "media_id": _text(root, "MediaId")}]


def _text_message(root: Element, data: dict[str, Any]) -> _Parsed:
    return root.findtext("Content") or "", []


def _image(root: Element, data: dict[str, Any]) -> _Parsed:
    return "", _media(root, "image/jpeg", _text(root, "PicUrl"))


def _voice(root: Element, data: dict[str, Any]) -> _Parsed:
    data["format"] = _text(root, "Format")
    recognition = _text(root, "Recognition")
    if recognition is not None:
        data["recognition"] = True
    return recognition or "", _media(root, _audio_type(data["format"]))


def _video(root: Element, data: dict[str, Any]) -> _Parsed:
    data["thumb_media_id"] = _text(root, "ThumbMediaId")
    return "", _media(root)


def _location(root: Element, data: dict[str, Any]) -> _Parsed:
    label = _text(root, "Label")
    data.update(
        latitude=_text(root, "Location_X"),
        longitude=_text(root, "Location_Y"),
        scale=_text(root, "Scale"),
        label=label,
    )
    return label or "", []


def _link(root: Element, data: dict[str, Any]) -> _Parsed:
    url = _text(root, "Url")
    data["url"] = url
    parts = (_text(root, "Title"), _text(root, "Description"), url)
    return "\n".join(part for part in parts if part), []


_MESSAGES: dict[str, Callable[[Element, dict[str, Any]], _Parsed]] = {
    "text": _text_message,
    "image": _image,
    "voice": _voice,
    "video": _video,
    "shortvideo": _video,
    "location": _location,
    "link": _link,
}


def parse_wechat_push(xml: bytes) -> ComplaintDraft | Ignored:
    """A customer message as a draft; events and unknown types as `Ignored`.

    Ignored pushes must still be answered "success", or WeChat retries them three times.
    """
    root = parse_xml(xml)
    from_user = _required(root, "FromUserName")
    create_time = _required(root, "CreateTime")
    msg_type = _required(root, "MsgType")
    received_at = _created_at(create_time)
    if msg_type == "event":
        return Ignored(reason=f"wechat event {(_text(root, 'Event') or 'without name')[:64]}")
    handler = _MESSAGES.get(msg_type)
    if handler is None:
        return Ignored(reason=f"wechat message type {msg_type[:64]} is not handled")

    data: dict[str, Any] = {"to_user": _text(root, "ToUserName"), "msg_type": msg_type}
    body, attachments = handler(root, data)
    for element, key in (("MsgDataId", "msg_data_id"), ("Idx", "idx")):
        if (value := _text(root, element)) is not None:
            data[key] = value
    draft = {
        "channel": Channel.wechat,
        "external_id": _text(root, "MsgId") or f"{from_user}:{create_time}",
        "received_at": received_at,
        "body": body,
        "author": from_user,
        "identities": [{"kind": IdentityKind.wechat_openid, "value": from_user}],
        "attachments": attachments,
        "channel_data": {key: value for key, value in data.items() if value is not None},
    }
    try:
        return ComplaintDraft.model_validate(draft)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in error["loc"]) for error in exc.errors()})
        raise MalformedPayload(f"WeChat push has invalid values for: {', '.join(fields)}.") from exc
