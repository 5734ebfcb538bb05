"""The registered claims of a verified token: required ones present, times within a small leeway, the issuer ours.

The same rules PyJWT applies (exp <= now - leeway is expired; nbf or iat > now + leeway is not yet valid),
here because the token is parsed once in jws.py rather than again by jwt.decode.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping

from .errors import RefusedError

LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ("exp", "iat", "iss", "sub", "token_use")


def check_registered_claims(
    claims: Mapping[str, object],
    issuers: Collection[str],
    leeway: float = LEEWAY_SECONDS,
    clock: Callable[[], float] = time.time,
) -> None:
    for claim in REQUIRED_CLAIMS:
        if claim not in claims:
            raise RefusedError(f"claim {claim} is missing")
    now = clock()
    if _numeric_date(claims, "exp") <= now - leeway:
        raise RefusedError("token has expired (exp)")
    if "nbf" in claims and _numeric_date(claims, "nbf") > now + leeway:
        raise RefusedError("token is not yet valid (nbf)")
    if _numeric_date(claims, "iat") > now + leeway:
        raise RefusedError("token is not yet valid (iat)")
    issuer = claims["iss"]
    if not isinstance(issuer, str) or issuer not in issuers:
        raise RefusedError("claim iss is not the user pool")


def _numeric_date(claims: Mapping[str, object], claim: str) -> float:
    value = claims[claim]
    # bool is an int in Python; a JSON true is not a date.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RefusedError(f"claim {claim} is not a NumericDate")
    return value
