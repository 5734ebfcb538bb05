"""The registered-claim rules at their boundaries, on a fixed clock (pure: no token, no server)."""

from __future__ import annotations

import pytest

from functions.authorizer.claims import LEEWAY_SECONDS, check_registered_claims
from functions.authorizer.errors import RefusedError

NOW = 1_763_800_000.0
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"
GOOD = {"exp": NOW + 3600, "iat": NOW - 60, "iss": ISSUER, "sub": "u-1", "token_use": "id"}


def check(**changes: object) -> None:
    check_registered_claims({**GOOD, **changes}, {ISSUER}, clock=lambda: NOW)


def test_good_claims_pass() -> None:
    check()
    check(exp=NOW - LEEWAY_SECONDS + 1, nbf=NOW + LEEWAY_SECONDS, iat=NOW + LEEWAY_SECONDS)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": NOW - LEEWAY_SECONDS}, "token has expired (exp)"),  # exactly at the leeway: expired
        ({"nbf": NOW + LEEWAY_SECONDS + 1}, "token is not yet valid (nbf)"),
        ({"iat": NOW + LEEWAY_SECONDS + 1}, "token is not yet valid (iat)"),
        ({"exp": float("nan")}, "claim exp is not a NumericDate"),
        ({"exp": float("inf")}, "claim exp is not a NumericDate"),
        ({"nbf": "0"}, "claim nbf is not a NumericDate"),
        ({"iat": None}, "claim iat is not a NumericDate"),
        ({"iss": ISSUER + "/"}, "claim iss is not the user pool"),
        ({"iss": [ISSUER]}, "claim iss is not the user pool"),
    ],
)
def test_bad_claim_is_refused_with_its_reason(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(RefusedError) as refused:
        check(**changes)
    assert refused.value.reason == reason


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "sub", "token_use"])
def test_each_required_claim_is_required(claim: str) -> None:
    claims = {key: value for key, value in GOOD.items() if key != claim}
    with pytest.raises(RefusedError, match=f"^claim {claim} is missing$"):
        check_registered_claims(claims, {ISSUER}, clock=lambda: NOW)
