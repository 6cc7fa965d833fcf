"""Tests for the WeChat server protocol: signatures, replay window and safe-mode envelopes."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from complaint_service.core.problems import Forbidden, MalformedPayload
from complaint_service.intake.channels.wechat_crypto import (
    WeChatCrypto,
    check_timestamp,
    extract_encrypted,
    msg_signature,
    verify_signature,
)

TOKEN = "complaintToken2026"
TIMESTAMP = "1795830245"
NONCE = "1320562132"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx5823bf96d3bd56c7"
RANDOM16 = bytes(range(16))
MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_3f2a1b4c5d6e]]></ToUserName>"
    "<FromUserName><![CDATA[oAbC123_customer_openid]]></FromUserName>"
    "<CreateTime>1795830245</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[我的订单 202611220001 支付失败了，钱扣了但是订单没生成]]></Content>"
    "<MsgId>24802011223344556</MsgId></xml>"
).encode()


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def raw_aes(key_text: str) -> Cipher[modes.CBC]:
    key = base64.b64decode(key_text + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def seal_raw(data: bytes) -> str:
    """Encrypts already padded bytes the way WeChat does, bypassing the code under test."""
    encryptor = raw_aes(AES_KEY).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def padded(data: bytes) -> bytes:
    pad = 32 - len(data) % 32
    return data + bytes([pad]) * pad


class TestVerifySignature:
    def test_accepts_the_documented_sha1_of_sorted_parts(self) -> None:
        signature = sha1_sorted(TOKEN, TIMESTAMP, NONCE)

        assert verify_signature(TOKEN, signature, TIMESTAMP, NONCE) is True

    def test_rejects_a_tampered_signature(self) -> None:
        signature = sha1_sorted(TOKEN, TIMESTAMP, NONCE)
        tampered = ("0" if signature[0] != "0" else "1") + signature[1:]

        assert verify_signature(TOKEN, tampered, TIMESTAMP, NONCE) is False

    def test_rejects_a_changed_timestamp(self) -> None:
        signature = sha1_sorted(TOKEN, TIMESTAMP, NONCE)

        assert verify_signature(TOKEN, signature, "1795830246", NONCE) is False

    def test_rejects_unsorted_concatenation(self) -> None:
        unsorted = hashlib.sha1((TOKEN + TIMESTAMP + NONCE).encode()).hexdigest()

        assert verify_signature(TOKEN, unsorted, TIMESTAMP, NONCE) is False

    def test_non_ascii_signature_is_false_not_an_error(self) -> None:
        assert verify_signature(TOKEN, "签名", TIMESTAMP, NONCE) is False


class TestMsgSignature:
    def test_matches_independent_sha1_of_sorted_parts(self) -> None:
        encrypted = WeChatCrypto(AES_KEY, APP_ID).encrypt(MESSAGE, random16=RANDOM16)

        assert msg_signature(TOKEN, TIMESTAMP, NONCE, encrypted) == sha1_sorted(
            TOKEN, TIMESTAMP, NONCE, encrypted
        )

    def test_depends_on_the_ciphertext(self) -> None:
        assert msg_signature(TOKEN, TIMESTAMP, NONCE, "QUJD") != msg_signature(
            TOKEN, TIMESTAMP, NONCE, "QUJE"
        )


class TestCheckTimestamp:
    def test_accepts_within_skew(self) -> None:
        assert check_timestamp(TIMESTAMP, now=1795830245 + 299.5, max_skew_seconds=300) is True

    def test_accepts_slightly_future_clock(self) -> None:
        assert check_timestamp(TIMESTAMP, now=1795830245 - 60, max_skew_seconds=300) is True

    def test_refuses_replayed_old_push(self) -> None:
        assert check_timestamp(TIMESTAMP, now=1795830245 + 301, max_skew_seconds=300) is False

    @pytest.mark.parametrize(
        "timestamp", ["", "-1795830245", "1795830245.0", "１７９５８３０２４５", "9" * 5000]
    )
    def test_refuses_non_numeric_timestamps(self, timestamp: str) -> None:
        assert check_timestamp(timestamp, now=1795830245, max_skew_seconds=300) is False


class TestExtractEncrypted:
    def test_reads_the_encrypt_element_of_the_envelope(self) -> None:
        xml = (
            b"<xml><ToUserName><![CDATA[gh_3f2a1b4c5d6e]]></ToUserName>"
            b"<Encrypt><![CDATA[bG9yZW0gaXBzdW0=]]></Encrypt></xml>"
        )

        assert extract_encrypted(xml) == "bG9yZW0gaXBzdW0="

    @pytest.mark.parametrize(
        "xml", [b"<xml><ToUserName>gh_3f2a1b4c5d6e</ToUserName></xml>", b"<xml><Encrypt>  </Encrypt></xml>"]
    )
    def test_missing_encrypt_is_malformed(self, xml: bytes) -> None:
        with pytest.raises(MalformedPayload, match="Encrypt"):
            extract_encrypted(xml)

    def test_entity_expansion_is_refused(self) -> None:
        xml = b'<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'

        with pytest.raises(MalformedPayload):
            extract_encrypted(xml)


class TestWeChatCrypto:
    def test_round_trip(self) -> None:
        crypto = WeChatCrypto(AES_KEY, APP_ID)

        assert crypto.decrypt(crypto.encrypt(MESSAGE)) == MESSAGE

    def test_random_prefix_makes_each_ciphertext_different(self) -> None:
        crypto = WeChatCrypto(AES_KEY, APP_ID)

        assert crypto.encrypt(MESSAGE) != crypto.encrypt(MESSAGE)

    def test_fixed_vector_has_documented_layout(self) -> None:
        crypto = WeChatCrypto(AES_KEY, APP_ID)

        encrypted = crypto.encrypt(MESSAGE, random16=RANDOM16)

        layout = RANDOM16 + struct.pack(">I", len(MESSAGE)) + MESSAGE + APP_ID.encode()
        assert encrypted == seal_raw(padded(layout))
        sealed_len = (len(layout) // 32 + 1) * 32
        assert len(encrypted) == 4 * -(-sealed_len // 3)
        assert crypto.decrypt(encrypted) == MESSAGE

    def test_whole_block_message_gets_a_full_padding_block(self) -> None:
        message = b"x" * (64 - 16 - 4 - len(APP_ID))
        crypto = WeChatCrypto(AES_KEY, APP_ID)

        encrypted = crypto.encrypt(message, random16=RANDOM16)

        assert len(base64.b64decode(encrypted)) == 96
        assert crypto.decrypt(encrypted) == message

    def test_decrypts_what_an_independent_implementation_sealed(self) -> None:
        layout = b"\xa5" * 16 + struct.pack(">I", len(MESSAGE)) + MESSAGE + APP_ID.encode()

        assert WeChatCrypto(AES_KEY, APP_ID).decrypt(seal_raw(padded(layout))) == MESSAGE

    def test_other_app_id_is_forbidden(self) -> None:
        encrypted = WeChatCrypto(AES_KEY, "wx0000000000000000").encrypt(MESSAGE)

        with pytest.raises(Forbidden):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(encrypted)

    def test_tampered_ciphertext_is_malformed(self) -> None:
        sealed = bytearray(
            base64.b64decode(WeChatCrypto(AES_KEY, APP_ID).encrypt(MESSAGE, random16=RANDOM16))
        )
        sealed[-1] ^= 0xFF

        with pytest.raises(MalformedPayload, match="padding"):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(base64.b64encode(bytes(sealed)).decode())

    @pytest.mark.parametrize("pad_byte", [0, 33, 255])
    def test_out_of_range_padding_is_malformed(self, pad_byte: int) -> None:
        data = padded(RANDOM16 + struct.pack(">I", 3) + b"abc" + APP_ID.encode())
        data = data[:-1] + bytes([pad_byte])

        with pytest.raises(MalformedPayload, match="padding"):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(seal_raw(data))

    def test_inconsistent_padding_bytes_are_malformed(self) -> None:
        data = bytearray(padded(RANDOM16 + struct.pack(">I", 3) + b"abc" + APP_ID.encode()))
        data[-2] ^= 0x01

        with pytest.raises(MalformedPayload, match="padding"):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(seal_raw(bytes(data)))

    def test_declared_length_beyond_content_is_malformed(self) -> None:
        data = padded(RANDOM16 + struct.pack(">I", 10_000) + b"abc" + APP_ID.encode())

        with pytest.raises(MalformedPayload, match="longer"):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(seal_raw(data))

    def test_too_short_plaintext_is_malformed(self) -> None:
        data = RANDOM16 + b"\x10" * 16

        with pytest.raises(MalformedPayload, match="too short"):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(seal_raw(data))

    @pytest.mark.parametrize(
        "encrypted", ["", "not base64!", "QUJD", "密文", base64.b64encode(b"a" * 48).decode()]
    )
    def test_undecodable_input_is_malformed(self, encrypted: str) -> None:
        with pytest.raises(MalformedPayload):
            WeChatCrypto(AES_KEY, APP_ID).decrypt(encrypted)

    @pytest.mark.parametrize("key", ["", "short", AES_KEY + "H", AES_KEY[:-1] + "*"])
    def test_invalid_encoding_aes_key_is_a_configuration_error(self, key: str) -> None:
        with pytest.raises(ValueError, match="EncodingAESKey"):
            WeChatCrypto(key, APP_ID)

    def test_random16_must_be_16_bytes(self) -> None:
        with pytest.raises(ValueError, match="16 bytes"):
            WeChatCrypto(AES_KEY, APP_ID).encrypt(MESSAGE, random16=b"short")
