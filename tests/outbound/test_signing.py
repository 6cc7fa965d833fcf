"""Webhook signatures: what a receiver accepts and what it must refuse."""

from __future__ import annotations

import json

from complaint_service.outbound.signing import sign, verify

SECRET = "q3Zr8vN1hTqk2WfYp0cXb7LmE4sAuJdG9oRiK5zV6yw"
NEW_SECRET = "Xo7pL2mQ9rT4vW8yA1bC3dE5fG6hJ0kN2sU4xZ7qR9t"
NOW = 1_795_314_600
BODY = json.dumps(
    {
        "type": "message.outbound",
        "data": {"body": "您好，您的投訴已受理，我們會盡快回覆。", "channel": "wechat"},
    },
    separators=(",", ":"),
    ensure_ascii=False,
).encode()


class TestSign:
    def test_header_carries_the_timestamp_and_a_hex_sha256(self) -> None:
        header = sign(SECRET, NOW, BODY)
        t, v1 = header.split(",")
        assert t == f"t={NOW}"
        assert v1.startswith("v1=")
        assert len(v1) == 3 + 64
        int(v1[3:], 16)

    def test_same_input_same_signature_and_the_timestamp_is_covered(self) -> None:
        assert sign(SECRET, NOW, BODY) == sign(SECRET, NOW, BODY)
        assert sign(SECRET, NOW, BODY).split(",")[1] != sign(SECRET, NOW + 1, BODY).split(",")[1]

    def test_one_v1_per_secret(self) -> None:
        header = sign([SECRET, NEW_SECRET], NOW, BODY)
        assert header.count("v1=") == 2


class TestVerify:
    def test_round_trip(self) -> None:
        assert verify(SECRET, sign(SECRET, NOW, BODY), BODY, now=NOW + 30)

    def test_tampered_body_fails(self) -> None:
        tampered = BODY.replace("受理".encode(), "駁回".encode())
        assert tampered != BODY
        assert not verify(SECRET, sign(SECRET, NOW, BODY), tampered, now=NOW)

    def test_wrong_secret_fails(self) -> None:
        assert not verify(NEW_SECRET, sign(SECRET, NOW, BODY), BODY, now=NOW)

    def test_stale_and_future_timestamps_fail(self) -> None:
        header = sign(SECRET, NOW, BODY)
        assert verify(SECRET, header, BODY, now=NOW + 300)
        assert not verify(SECRET, header, BODY, now=NOW + 301)
        assert not verify(SECRET, header, BODY, now=NOW - 301)
        assert verify(SECRET, header, BODY, now=NOW + 900, tolerance_seconds=900)

    def test_a_replayed_signature_with_a_fresh_timestamp_fails(self) -> None:
        v1 = sign(SECRET, NOW, BODY).split(",")[1]
        assert not verify(SECRET, f"t={NOW + 600},{v1}", BODY, now=NOW + 600)

    def test_malformed_headers_fail(self) -> None:
        v1 = sign(SECRET, NOW, BODY).split(",")[1]
        for header in ["", v1, f"t={NOW}", f"t=yesterday,{v1}", f"t={NOW},{v1},garbage", "v1=,t="]:
            assert not verify(SECRET, header, BODY, now=NOW), header

    def test_rotation_sender_with_both_secrets(self) -> None:
        header = sign([SECRET, NEW_SECRET], NOW, BODY)
        assert verify(SECRET, header, BODY, now=NOW)
        assert verify(NEW_SECRET, header, BODY, now=NOW)
        assert not verify("an-unrelated-secret-of-enough-length", header, BODY, now=NOW)

    def test_rotation_receiver_with_both_secrets(self) -> None:
        assert verify([SECRET, NEW_SECRET], sign(NEW_SECRET, NOW, BODY), BODY, now=NOW)
        assert verify([SECRET, NEW_SECRET], sign(SECRET, NOW, BODY), BODY, now=NOW)
        assert not verify([SECRET, NEW_SECRET], sign("retired-secret-nobody-has", NOW, BODY), BODY, now=NOW)
