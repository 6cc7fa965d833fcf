"""Charset mapping and RFC 2047/2231 decoding for mail headers and bodies."""

from __future__ import annotations

import base64
import urllib.parse

import pytest

from complaint_service.intake.channels.email_decoding import (
    decode_bytes,
    decode_header_value,
    header_param,
)


class TestDecodeBytes:
    @pytest.mark.parametrize("label", ["gb2312", "GB2312", "gb_2312-80", "x-gbk", "cp936", "GBK", "euc-cn"])
    def test_gb_labels_read_as_gb18030(self, label: str) -> None:
        text = "朱镕基路门店投诉（王堃）"

        assert decode_bytes(text.encode("gb18030"), label) == text

    def test_big5_falls_back_to_hkscs_for_cantonese(self) -> None:
        text = "部電話冇反應，你哋啲客服唔理人㗎"

        assert decode_bytes(text.encode("big5hkscs"), "big5") == text

    @pytest.mark.parametrize("label", [None, "us-ascii", "utf-8", "unknown-8bit", "zlib"])
    def test_mislabelled_gbk_is_still_read(self, label: str | None) -> None:
        assert decode_bytes("退款申请".encode("gbk"), label) == "退款申请"

    def test_undecodable_bytes_are_replaced_and_nul_dropped(self) -> None:
        assert decode_bytes(b"ok\x00 \xff\xfe\xfd", "utf-8") == "ok \ufffd\ufffd\ufffd"


class TestDecodeHeaderValue:
    def test_whitespace_between_encoded_words_is_dropped_but_kept_around_text(self) -> None:
        value = "=?utf-8?B?5byg?=\r\n =?utf-8?B?5LiJ?= (VIP) =?utf-8?B?5byg?="

        assert decode_header_value(value) == "张三 (VIP) 张"

    def test_language_suffix_and_broken_word(self) -> None:
        value = "=?utf-8*zh?Q?=E5=BC=A0_san?= =?utf-8?B?5?= ok"

        assert decode_header_value(value) == "张 san =?utf-8?B?5?= ok"

    def test_raw_8bit_gbk_header_bytes(self) -> None:
        parsed = "投诉 DD2026".encode("gbk").decode("ascii", "surrogateescape")

        assert decode_header_value(parsed) == "投诉 DD2026"


class TestHeaderParam:
    def test_rfc2231_continuations_in_gb2312(self) -> None:
        encoded = urllib.parse.quote("朱镕基路小票.jpg".encode("gb18030"))
        cut = encoded.index("%", 10)
        value = f"attachment; filename*0*=gb2312''{encoded[:cut]}; filename*1*={encoded[cut:]}"

        assert header_param(value, "Content-Disposition", "filename") == "朱镕基路小票.jpg"

    def test_rfc2047_word_inside_a_quoted_name(self) -> None:
        word = base64.b64encode("發票.pdf".encode("big5")).decode()

        assert (
            header_param(f'application/pdf; name="=?big5?B?{word}?="', "Content-Type", "name") == "發票.pdf"
        )

    def test_missing_param(self) -> None:
        assert header_param("inline", "Content-Disposition", "filename") is None
