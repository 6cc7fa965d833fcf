"""Encoding exported complaints as CSV or JSON lines, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum, StrEnum
from typing import Any
from zoneinfo import ZoneInfo

# OWASP "CSV Injection": a cell starting with one of these is run as a formula by Excel, LibreOffice
# and Google Sheets; a leading apostrophe makes it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV without a byte order mark as the local code page, which garbles Chinese.
UTF8_BOM = "\ufeff"
LIST_SEPARATOR = ";"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


MEDIA_TYPES = {ExportFormat.csv: "text/csv; charset=utf-8", ExportFormat.jsonl: "application/x-ndjson"}


class Kind(Enum):
    """How a column's values are written; only text that came from outside is defused."""

    text = "text"
    texts = "texts"
    time = "time"
    identifier = "identifier"  # UUIDs, and decimals kept exact as strings
    number = "number"
    flag = "flag"


def defuse(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(kind: Kind, zone: ZoneInfo) -> Callable[[Any], str]:
    """Chosen once per column, not per value: an export formats tens of millions of cells."""
    if kind is Kind.text:
        return lambda v: "" if v is None else defuse(v)
    if kind is Kind.texts:
        return lambda v: defuse(LIST_SEPARATOR.join(v)) if v else ""
    if kind is Kind.time:
        return lambda v: "" if v is None else v.astimezone(zone).isoformat()
    if kind is Kind.flag:
        return lambda v: "" if v is None else "true" if v else "false"
    return lambda v: "" if v is None else str(v)


def _value(kind: Kind, zone: ZoneInfo) -> Callable[[Any], Any]:
    if kind is Kind.time:
        return lambda v: None if v is None else v.astimezone(zone).isoformat()
    if kind is Kind.identifier:
        return lambda v: None if v is None else str(v)
    return lambda v: v


def _csv(lines: Iterable[Iterable[str]]) -> str:
    """RFC 4180: CRLF line ends; cells with separators, quotes or line breaks quoted, quotes doubled."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue()


class Encoder:
    """Rows of one export as text: times in the configured zone with their offset."""

    def __init__(
        self, export_format: ExportFormat, columns: Sequence[tuple[str, Kind]], zone: ZoneInfo
    ) -> None:
        self.format = export_format
        self.names = [name for name, _ in columns]
        choose = _cell if export_format is ExportFormat.csv else _value
        self.writers = [(name, choose(kind, zone)) for name, kind in columns]

    def header(self) -> str:
        return UTF8_BOM + _csv([self.names]) if self.format is ExportFormat.csv else ""

    def rows(self, records: Iterable[Mapping[str, Any]]) -> str:
        if self.format is ExportFormat.csv:
            return _csv([write(record[name]) for name, write in self.writers] for record in records)
        return "".join(
            json.dumps({name: write(record[name]) for name, write in self.writers}, ensure_ascii=False) + "\n"
            for record in records
        )
