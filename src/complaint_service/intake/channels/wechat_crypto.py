"""WeChat server protocol: URL signatures, replay window and safe-mode (AES) message envelopes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from complaint_service.core.problems import Forbidden, MalformedPayload
from complaint_service.intake.channels.wechat import parse_xml

_BLOCK = 32
_RANDOM_LEN = 16
_LENGTH = struct.Struct(">I")


def _sha1_of_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol


def verify_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    expected = _sha1_of_sorted(token, timestamp, nonce)
    return hmac.compare_digest(expected.encode(), signature.encode())


def msg_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return _sha1_of_sorted(token, timestamp, nonce, encrypt)


def check_timestamp(timestamp: str, *, now: float, max_skew_seconds: int) -> bool:
    """Whether a push's timestamp is close enough to `now` not to be a replay."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(now - int(timestamp)) <= max_skew_seconds


def extract_encrypted(xml: bytes) -> str:
    encrypted = parse_xml(xml).findtext("Encrypt")
    if not encrypted or not encrypted.strip():
        raise MalformedPayload("WeChat safe-mode push lacks <Encrypt>.")
    return encrypted.strip()


class WeChatCrypto:
    """AES-256-CBC envelopes of WeChat's safe mode, IV = key[:16], PKCS#7 padded to 32 bytes.

    The plaintext is 16 random bytes, the message length (4 bytes, big-endian), the message and
    the app id. Check `msg_signature` before `decrypt`: the signature is what keeps the padding
    and app-id errors below from being an oracle for forged ciphertexts.
    """

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey must be 43 base64 characters") from exc
        if len(encoding_aes_key) != 43 or len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 base64 characters")
        if not app_id:
            raise ValueError("app_id must not be empty")
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
        self._app_id = app_id.encode()

    def encrypt(self, plaintext: bytes, *, random16: bytes | None = None) -> str:
        prefix = secrets.token_bytes(_RANDOM_LEN) if random16 is None else random16
        if len(prefix) != _RANDOM_LEN:
            raise ValueError("random16 must be exactly 16 bytes")
        data = prefix + _LENGTH.pack(len(plaintext)) + plaintext + self._app_id
        pad = _BLOCK - len(data) % _BLOCK
        encryptor = self._cipher.encryptor()
        sealed = encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()
        return base64.b64encode(sealed).decode("ascii")

    def decrypt(self, encrypt_b64: str) -> bytes:
        try:
            sealed = base64.b64decode(encrypt_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedPayload("WeChat <Encrypt> is not valid base64.") from exc
        if not sealed or len(sealed) % _BLOCK:
            raise MalformedPayload("WeChat <Encrypt> is not a whole number of cipher blocks.")
        decryptor = self._cipher.decryptor()
        data = decryptor.update(sealed) + decryptor.finalize()
        pad = data[-1]
        if not 1 <= pad <= _BLOCK or data[-pad:] != bytes([pad]) * pad:
            raise MalformedPayload("WeChat <Encrypt> has invalid padding.")
        content = data[_RANDOM_LEN:-pad]
        if len(content) < _LENGTH.size:
            raise MalformedPayload("WeChat <Encrypt> is too short.")
        (length,) = _LENGTH.unpack_from(content)
        end = _LENGTH.size + length
        if end > len(content):
            raise MalformedPayload("WeChat <Encrypt> declares a message longer than itself.")
        if not hmac.compare_digest(content[end:], self._app_id):
            raise Forbidden("WeChat message was encrypted for another app id.")
        return content[_LENGTH.size : end]
