"""E-mail bodies as plain text: HTML flattened, earlier quoted replies cut off, subjects without Re:."""

from __future__ import annotations

import re

import html2text

_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TABLE_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BLANK_RUN = re.compile(r"\n{3,}")

_SEPARATOR = re.compile(r"^\s*-{2,}\s*(?:original message|原始邮件|原始郵件|原始信件)\s*-{2,}\s*$", re.I)
_ON_WROTE = re.compile(r"^\s*On\s.*\d.*\bwrote:\s*$", re.I)
_CHINESE_WROTE = re.compile(
    r"^\s*.*(?:\d{4}\s*年|\d{4}[-/.]\d{1,2}|\d{1,2}:\d{2}).*(?:写道|寫道)\s*[:：]\s*$"
)
_FROM_KEY = re.compile(r"^\s*\**\s*(?:from|发件人|發件人|寄件者|寄件人)\s*\**\s*[:：]", re.I)
_DATE_KEY = re.compile(
    r"(?:^|\s)\**(?:sent|date|发送时间|發送時間|日期|寄件日期|时间|時間)\s*\**\s*[:：]", re.I
)
_TO_OR_SUBJECT_KEY = re.compile(r"(?:^|\s)\**(?:to|subject|收件人|收件者|主题|主題|主旨)\s*\**\s*[:：]", re.I)
_RULE_LINE = re.compile(r"^\s*(?:_{5,}|-{5,})\s*$")
_HEADER_BLOCK_LINES = 6
_ATTRIBUTION_MAX_CHARS = 300

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|回复|答复|转发|回覆|答覆|轉寄|轉發)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.I
)


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_links = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.unicode_snob = True
    html = _TABLE_CELL_END.sub(" \\g<0>", _SCRIPT_OR_STYLE.sub("", html))
    text = _MARKDOWN_ESCAPE.sub(r"\1", converter.handle(html)).replace("\xa0", " ")
    return tidy(text)


def tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n")


def _attribution_length(lines: list[str], index: int) -> int:
    """1 or 2 when an "On … wrote:" / "… 写道：" line (possibly wrapped once) starts at index, else 0."""
    for length in (1, 2):
        joined = " ".join(line.strip() for line in lines[index : index + length])
        if index + length > len(lines) or len(joined) > _ATTRIBUTION_MAX_CHARS:
            break
        if _ON_WROTE.match(joined) or _CHINESE_WROTE.match(joined):
            return length
    return 0


def _is_header_block(lines: list[str], index: int) -> bool:
    if not _FROM_KEY.match(lines[index]):
        return False
    window = lines[index : index + _HEADER_BLOCK_LINES]
    return any(_DATE_KEY.search(line) for line in window) and any(
        _TO_OR_SUBJECT_KEY.search(line) for line in window
    )


def _quotes_follow(lines: list[str]) -> bool:
    following = next((line for line in lines if line.strip()), "")
    return following.lstrip().startswith(">")


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted earlier mail removed; "" when nothing new is left.

    An attribution line directly above a ">" block is dropped with the block (bottom-posting keeps
    the answer below it); any other reply header cuts everything from it to the end.
    """
    lines = tidy(text).split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        length = _attribution_length(lines, index)
        if length and _quotes_follow(lines[index + length :]):
            index += length
            continue
        if length or _SEPARATOR.match(lines[index]) or _is_header_block(lines, index):
            break
        if not lines[index].lstrip().startswith(">"):
            kept.append(lines[index])
        index += 1
    while kept and (not kept[-1].strip() or _RULE_LINE.match(kept[-1])):
        kept.pop()
    return tidy("\n".join(kept))


def strip_reply_prefixes(subject: str) -> str:
    """The subject a thread started with: "Re: 回复：Fwd: 退款" → "退款"."""
    return _REPLY_PREFIX.sub("", subject).strip()
