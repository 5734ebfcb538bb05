"""The compact JWS parser at the byte level (pure): one spelling per token, header rules before anything else."""

from __future__ import annotations

import base64
import os

import pytest

from functions.authorizer import jws
from functions.authorizer.errors import RefusedError

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def spell(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@pytest.mark.parametrize("length", range(1, 40))
def test_a_segment_decodes_only_in_its_canonical_spelling(length: int) -> None:
    data = os.urandom(length)
    segment = spell(data)
    assert jws._decode_segment(segment, "signature") == data

    for character in ALPHABET:
        variant = segment[:-1] + bytes([character])
        canonical = spell(base64.urlsafe_b64decode(variant + b"=" * (-len(variant) % 4))) == variant
        if canonical:
            assert jws._decode_segment(variant, "signature") == base64.urlsafe_b64decode(variant + b"==")
        else:
            with pytest.raises(RefusedError, match="not canonical base64url"):
                jws._decode_segment(variant, "signature")


@pytest.mark.parametrize("segment", [b"", b"a", b"abcde", b"ab=", b"ab+/", b"ab cd", b"ab\ncd"])
def test_a_segment_outside_unpadded_base64url_is_refused(segment: bytes) -> None:
    with pytest.raises(RefusedError, match="signature is not base64url"):
        jws._decode_segment(segment, "signature")


def test_parse_reads_the_kid_and_keeps_the_signing_input() -> None:
    header = spell(b'{"alg":"RS256","kid":"k1","typ":"JWT"}')
    token = f"{header.decode()}.e30.{spell(b'signature').decode()}"

    parsed = jws.parse(token)

    assert parsed.kid == "k1"
    assert parsed.signing_input == header + b".e30"
    assert parsed.signature == b"signature"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (b'{"alg":"RS256"}', "header has no kid"),
        (b'{"alg":"RS256","kid":""}', "header has no kid"),
        (b'{"alg":"rs256","kid":"k1"}', "header alg is not RS256"),
        (b'{"kid":"k1"}', "header alg is not RS256"),
        (b'{"alg":"RS256","kid":"k1","b64":false}', "header has critical extensions"),
        (b'{"alg":"RS256","kid":NaN}', "malformed token: header is not JSON"),
        (b'"RS256"', "malformed token: header is not a JSON object"),
        (b"\xff\xfe", "malformed token: header is not JSON"),
    ],
)
def test_header_rules(header: bytes, reason: str) -> None:
    with pytest.raises(RefusedError) as refused:
        jws.parse(f"{spell(header).decode()}.e30.{spell(b'sig').decode()}")
    assert refused.value.reason == reason
