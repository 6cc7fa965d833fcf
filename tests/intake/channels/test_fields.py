"""Tests for the field types and mappers the JSON channel payloads share."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from complaint_service.intake.channels.base import Attachment
from complaint_service.intake.channels.fields import (
    ExternalId,
    Phone,
    Timestamp,
    attachment_from_url,
    compact,
    payload_config,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TestTimestamp:
    def test_naive_time_is_read_as_shanghai_time(self) -> None:
        parsed = TypeAdapter(Timestamp).validate_python("2026-11-22 10:30:00")

        assert parsed == datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
        assert parsed.tzinfo == SHANGHAI

    def test_an_explicit_offset_is_kept(self) -> None:
        parsed = TypeAdapter(Timestamp).validate_python("2026-11-22T10:30:00-05:00")

        assert parsed == datetime(2026, 11, 22, 15, 30, tzinfo=UTC)


class TestExternalId:
    def test_large_numbers_become_exact_text(self) -> None:
        assert TypeAdapter(ExternalId).validate_json("9007199254740993") == "9007199254740993"

    @pytest.mark.parametrize("value", [True, "", "  ", "x" * 129, 1.5])
    def test_refuses_non_ids(self, value: object) -> None:
        with pytest.raises(ValidationError):
            TypeAdapter(ExternalId).validate_python(value)


class TestPhone:
    @pytest.mark.parametrize("value", ["+86 138 1234 5678", "008613812345678", "(021) 6488-1234", "95588"])
    def test_accepts_raw_numbers_unchanged(self, value: str) -> None:
        assert TypeAdapter(Phone).validate_python(f" {value} ") == value

    @pytest.mark.parametrize("value", ["1234", "+86 138 1234 5678 ext", "１３８１２３４５６７８", "1" * 21])
    def test_refuses_implausible_numbers(self, value: str) -> None:
        with pytest.raises(ValidationError):
            TypeAdapter(Phone).validate_python(value)


class TestAttachmentFromUrl:
    def test_name_and_type_come_from_the_path(self) -> None:
        url = "https://cdn.example.cn/uploads/%E5%8F%91%E7%A5%A8.pdf?sign=abc"

        assert attachment_from_url(url) == Attachment(
            name="发票.pdf", content_type="application/pdf", url=url
        )

    def test_given_type_and_size_win(self) -> None:
        url = "https://cdn.example.cn/s/8f2c"

        assert attachment_from_url(url, content_type="image/heic", size=1024) == Attachment(
            name="8f2c", content_type="image/heic", size=1024, url=url
        )

    def test_bare_host_has_no_name(self) -> None:
        assert attachment_from_url("https://cdn.example.cn/").name is None


class TestCompact:
    def test_drops_empty_values_and_writes_times_as_iso(self) -> None:
        moment = datetime(2026, 11, 22, 10, 30, tzinfo=SHANGHAI)

        assert compact(a=None, b=[], c={}, d=False, e=0, f="", g=moment) == {
            "d": False,
            "e": 0,
            "g": "2026-11-22T10:30:00+08:00",
        }


class TestPayloadConfig:
    def test_keeps_the_schema_base_settings(self) -> None:
        config = payload_config({"text": "闪退"})

        assert config.get("populate_by_name") is True
        assert config.get("from_attributes") is True
        assert config.get("json_schema_extra") == {"examples": [{"text": "闪退"}]}
