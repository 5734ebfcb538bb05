"""The JWKS cache: fetched once, refetched at most once per interval for unknown kids (rotation), and
failing closed when the endpoint is down (held keys still verify, nothing else does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.authorizer.authorizer import Authorizer, s3_directory, ssm_secret
from functions.authorizer.config import load_config
from functions.authorizer.errors import UnauthorizedError
from functions.authorizer.jwks import MAX_KEY_AGE, REFETCH_INTERVAL, SigningKeys, jwks_fetcher
from functions.authorizer.tokens import TokenVerifier
from local.services.moto_server import MotoServer
from local.services.ports import LOOPBACK, free_port
from tests.integration.authorizer.conftest import LogLines
from tests.support.authorizer import (
    CognitoPool,
    JwksEndpoint,
    ManualClock,
    claims_of,
    fetch_json,
    jwks_endpoint,
    new_rsa_key,
    public_jwk,
    sign,
    token_event,
)

pytestmark = pytest.mark.moto

Build = Callable[[str], Authorizer]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def build(authorizer_env: dict[str, str], clock: ManualClock) -> Build:
    """An authorizer whose JWKS cache runs on the test's clock, fetching from `jwks_url`."""

    def make(jwks_url: str) -> Authorizer:
        config = load_config({**authorizer_env, "JWKS_URL": jwks_url})
        keys = SigningKeys(jwks_fetcher(config.jwks_url, timeout=2), clock=clock)
        return Authorizer(
            TokenVerifier(config, keys),
            ssm_secret(config.api_key_secret_parameter, config.region),
            s3_directory(config).records,
        )

    return make


@pytest.fixture
def moto_jwks(cognito: CognitoPool) -> dict[str, Any]:
    return fetch_json(cognito.jwks_url)


@pytest.fixture
def endpoint(moto_jwks: dict[str, Any]) -> Iterator[JwksEndpoint]:
    with jwks_endpoint({"keys": list(moto_jwks["keys"])}) as served:
        yield served


def forged(cognito: CognitoPool, key: rsa.RSAPrivateKey, kid: str) -> str:
    """Alice's ID token, signed by `key` under `kid` (a rotated-in key, or an unknown one)."""
    return sign(claims_of(cognito.tokens("alice")["id"]), key, kid=kid)


def allowed(authorizer: Authorizer, token: str) -> bool:
    try:
        authorizer.authorize(token_event(token))
    except UnauthorizedError:
        return False
    return True


def test_keys_are_fetched_once_for_many_requests(
    build: Build, cognito: CognitoPool, endpoint: JwksEndpoint, clock: ManualClock
) -> None:
    authorizer = build(endpoint.url(cognito.pool_id))
    tokens = [cognito.tokens(user)["id"] for user in ("alice", "bob")]

    for _ in range(50):
        for token in tokens:
            assert allowed(authorizer, token)
        clock.advance(1)

    assert endpoint.fetches == 1


def test_unknown_kids_refetch_at_most_once_per_interval(
    build: Build, cognito: CognitoPool, endpoint: JwksEndpoint, clock: ManualClock
) -> None:
    authorizer = build(endpoint.url(cognito.pool_id))
    assert allowed(authorizer, cognito.tokens("alice")["id"])
    assert endpoint.fetches == 1
    stranger = new_rsa_key()

    # A flood of tokens with made-up kids: no fetch until the interval has passed ...
    for n in range(100):
        assert not allowed(authorizer, forged(cognito, stranger, kid=f"made-up-{n}"))
    assert endpoint.fetches == 1
    # ... then one fetch for the whole next flood.
    clock.advance(REFETCH_INTERVAL)
    for n in range(100):
        assert not allowed(authorizer, forged(cognito, stranger, kid=f"made-up-again-{n}"))
    assert endpoint.fetches == 2
    assert allowed(authorizer, cognito.tokens("alice")["id"])
    assert endpoint.fetches == 2


def test_a_rotated_in_key_is_picked_up_by_one_refetch(
    build: Build, cognito: CognitoPool, endpoint: JwksEndpoint, clock: ManualClock
) -> None:
    authorizer = build(endpoint.url(cognito.pool_id))
    assert allowed(authorizer, cognito.tokens("alice")["id"])
    rotated = new_rsa_key()
    endpoint.document["keys"].append(public_jwk(rotated, "rotated-2026"))
    clock.advance(REFETCH_INTERVAL)

    assert allowed(authorizer, forged(cognito, rotated, kid="rotated-2026"))
    assert allowed(authorizer, cognito.tokens("alice")["id"])
    assert endpoint.fetches == 2


def test_a_removed_key_stops_verifying_once_the_keys_are_refreshed(
    build: Build, cognito: CognitoPool, endpoint: JwksEndpoint, clock: ManualClock
) -> None:
    retired = new_rsa_key()
    endpoint.document["keys"].append(public_jwk(retired, "retired"))
    authorizer = build(endpoint.url(cognito.pool_id))
    assert allowed(authorizer, forged(cognito, retired, kid="retired"))

    endpoint.document["keys"].pop()
    clock.advance(MAX_KEY_AGE - 1)
    assert allowed(authorizer, forged(cognito, retired, kid="retired"))  # still fresh: no fetch
    clock.advance(1)
    assert not allowed(authorizer, forged(cognito, retired, kid="retired"))
    assert allowed(authorizer, cognito.tokens("alice")["id"])
    assert endpoint.fetches == 2


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # signing with the weak key on purpose
def test_only_rs256_signing_keys_of_2048_bits_or_more_are_used(
    build: Build, cognito: CognitoPool, endpoint: JwksEndpoint
) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    for_encryption, rs512, no_alg_use = new_rsa_key(), new_rsa_key(), new_rsa_key()
    endpoint.document["keys"] += [
        public_jwk(weak, "weak"),
        {**public_jwk(for_encryption, "for-encryption"), "use": "enc"},
        {**public_jwk(rs512, "rs512"), "alg": "RS512"},
        {key: value for key, value in public_jwk(no_alg_use, "plain").items() if key not in ("alg", "use")},
        {"kty": "oct", "kid": "symmetric", "k": "c2VjcmV0"},
    ]
    authorizer = build(endpoint.url(cognito.pool_id))

    assert not allowed(authorizer, forged(cognito, weak, kid="weak"))
    assert not allowed(authorizer, forged(cognito, for_encryption, kid="for-encryption"))
    assert not allowed(authorizer, forged(cognito, rs512, kid="rs512"))
    # A JWK without alg and use is an RSA signing key (RFC 7517: both optional).
    assert allowed(authorizer, forged(cognito, no_alg_use, kid="plain"))


def test_jwks_down_before_the_first_fetch_refuses_everything_then_recovers(
    build: Build, cognito: CognitoPool, clock: ManualClock, run_dir: Path, log_lines: LogLines
) -> None:
    port = free_port()
    authorizer = build(f"http://{LOOPBACK}:{port}/{cognito.pool_id}/.well-known/jwks.json")
    token = cognito.tokens("alice")["id"]

    assert not allowed(authorizer, token)
    assert [r["message"] for r in log_lines.records if r["level"] == "WARNING"] == [
        "JWKS fetch failed; keeping held keys"
    ]
    assert log_lines.reasons() == ["kid is not a signing key of the user pool"]

    # The endpoint comes up (a moto server of its own on that port): within the interval the failed
    # attempt is not repeated, after it the keys are fetched and the token verifies.
    with MotoServer(run_dir / "moto-jwks-recovery.log", port=port):
        assert not allowed(authorizer, token)
        clock.advance(REFETCH_INTERVAL)
        assert allowed(authorizer, token)


def test_jwks_down_after_the_first_fetch_keeps_held_keys_and_refuses_the_rest(
    build: Build, cognito: CognitoPool, clock: ManualClock, run_dir: Path, log_lines: LogLines
) -> None:
    token = cognito.tokens("alice")["id"]
    with MotoServer(run_dir / "moto-jwks-outage.log") as jwks_server:
        authorizer = build(f"{jwks_server.endpoint}/{cognito.pool_id}/.well-known/jwks.json")
        assert allowed(authorizer, token)
    # The JWKS endpoint is gone now.

    assert allowed(authorizer, token)
    clock.advance(MAX_KEY_AGE)  # due for a refresh, which fails: the held key still verifies
    assert allowed(authorizer, token)
    clock.advance(REFETCH_INTERVAL)
    assert not allowed(authorizer, forged(cognito, new_rsa_key(), kid="rotated-during-outage"))
    assert allowed(authorizer, token)
    warnings = [r["message"] for r in log_lines.records if r["level"] == "WARNING"]
    assert warnings == ["JWKS fetch failed; keeping held keys"] * 2
