"""A compact RS256 JWS, parsed strictly once, its signature checked with cryptography (OpenSSL).

Why not jwt.decode: PyJWT 2.15 checks every base64url byte in a Python-level generator and the authorizer
would parse each token twice (header for the kid, then the whole); that was ~70 % of a warm verification.
Here the header and signature segments are checked strictly (one regular expression, canonical base64url),
every segment is decoded once, and the header is read before anything else. Nothing of the payload is
decoded before the signature over it has verified.
"""

from __future__ import annotations

import binascii
import json
import re
from functools import lru_cache
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .errors import RefusedError

ALGORITHM = "RS256"
_SEGMENT = re.compile(rb"[A-Za-z0-9_-]+")  # unpadded base64url, as every JWS producer (and Cognito) writes it
_PADDING = padding.PKCS1v15()  # RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 3.3)
_HASH = hashes.SHA256()
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The last character of a segment of length 4n+2 (4n+3) carries 4 (2) unused bits, which must be zero.
_CANONICAL_LAST = {
    2: frozenset(_ALPHABET[i : i + 1] for i in range(0, 64, 16)),
    3: frozenset(_ALPHABET[i : i + 1] for i in range(0, 64, 4)),
}
_ANY = frozenset(_ALPHABET[i : i + 1] for i in range(64))
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


class CompactJws(NamedTuple):  # a tuple: the cheapest record to build once per request
    kid: str
    signing_input: bytes
    payload_segment: bytes
    signature: bytes


def parse(token: str) -> CompactJws:
    """The header and signature of an RS256 token with a kid; RefusedError for anything else."""
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise RefusedError("malformed token: not ASCII") from None
    parts = raw.split(b".")
    if len(parts) != 3:
        raise RefusedError("malformed token: not three segments")
    header_segment, payload_segment, signature_segment = parts
    kid = _kid_of_header(header_segment)
    # The payload is decoded only after the signature over it has verified.
    signature = _decode_segment(signature_segment, "signature")
    return CompactJws(kid, header_segment + b"." + payload_segment, payload_segment, signature)


def verified_payload(jws: CompactJws, key: RSAPublicKey) -> dict[str, Any]:
    """The payload, once the signature is valid for `key`; RefusedError otherwise."""
    try:
        key.verify(jws.signature, jws.signing_input, _PADDING, _HASH)
    except InvalidSignature:
        raise RefusedError("invalid signature") from None
    # Signed by the pool, so these are the issuer's own bytes: no second spelling to guard against.
    try:
        payload = _b64decode(jws.payload_segment)
    except binascii.Error:
        raise RefusedError("malformed token: payload is not base64url") from None
    return _json_object(payload, "payload")


# Every token signed with one key has the same header segment: parsing it once per key saves a JSON
# decode per request. Only headers that pass are cached (a refusal raises), at most a few dozen.
@lru_cache(maxsize=32)
def _kid_of_header(segment: bytes) -> str:
    header = _json_object(_decode_segment(segment, "header"), "header")
    # alg none, HS256 with the public key as secret, and every other algorithm end here.
    if header.get("alg") != ALGORITHM:
        raise RefusedError(f"header alg is not {ALGORITHM}")
    if "crit" in header or "b64" in header:  # extensions we do not implement (RFC 7515 4.1.11, RFC 7797)
        raise RefusedError("header has critical extensions")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise RefusedError("header has no kid")
    return kid


def _check_segment(segment: bytes, name: str) -> None:
    # len % 4 == 1 is never valid base64; the rest of the canonical check is in _decode_segment.
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise RefusedError(f"malformed token: {name} is not base64url")


def _decode_segment(segment: bytes, name: str) -> bytes:
    _check_segment(segment, name)
    # One token, one spelling: stray low bits in the last character would give a second valid string.
    if segment[-1:] not in _CANONICAL_LAST.get(len(segment) % 4, _ANY):
        raise RefusedError(f"malformed token: {name} is not canonical base64url")
    try:
        return _b64decode(segment)
    except binascii.Error:
        raise RefusedError(f"malformed token: {name} is not base64url") from None


def _b64decode(segment: bytes) -> bytes:
    # base64.urlsafe_b64decode without its argument coercion: two C calls on the hot path.
    return binascii.a2b_base64(segment.translate(_URLSAFE_TO_STANDARD) + b"=" * (-len(segment) % 4))


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


# NaN and Infinity are not JSON (RFC 8259): an exp of Infinity would never expire.
_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _json_object(data: bytes, name: str) -> dict[str, Any]:
    try:
        value = _JSON.decode(data.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise RefusedError(f"malformed token: {name} is not JSON") from None
    if not isinstance(value, dict):
        raise RefusedError(f"malformed token: {name} is not a JSON object")
    return value
