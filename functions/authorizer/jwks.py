"""The user pool's signing keys, fetched once and kept across invocations of a warm Lambda.

- A known kid is served from memory: no network on the hot path.
- An unknown kid (key rotation, or a forged token) refetches the JWKS at most once per
  REFETCH_INTERVAL, counting failed attempts too, so junk tokens cannot turn into a request storm
  against the JWKS endpoint nor make every request wait for a timeout.
- After MAX_KEY_AGE the set is refetched (on the next request) so removed keys stop verifying.
- A failed fetch keeps the keys already held: tokens signed by them still verify; everything else
  is refused (fail closed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK, PyJWKClient

from .log import logger

ALGORITHM = "RS256"
MIN_RSA_BITS = 2048
REFETCH_INTERVAL = 30.0  # seconds between fetch attempts that an unknown kid may trigger
MAX_KEY_AGE = 3600.0  # seconds after which held keys are refreshed
FETCH_TIMEOUT = 3.0  # seconds; the authorizer answers in well under API Gateway's 10 s limit

KeyFetcher = Callable[[], Iterable[PyJWK]]


def jwks_fetcher(url: str, timeout: float = FETCH_TIMEOUT) -> KeyFetcher:
    """Fetch and parse the JWKS with PyJWT's client; its own caches are off, SigningKeys caches."""
    client = PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=timeout)

    def fetch() -> Iterable[PyJWK]:
        return client.get_signing_keys(refresh=True)

    return fetch


class SigningKeys:
    def __init__(
        self,
        fetch: KeyFetcher,
        refetch_interval: float = REFETCH_INTERVAL,
        max_age: float = MAX_KEY_AGE,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._fetch = fetch
        self._refetch_interval = refetch_interval
        self._max_age = max_age
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fresh_until = float("-inf")
        self._last_attempt: float | None = None
        self._lock = threading.Lock()

    def get(self, kid: str) -> PyJWK | None:
        """The RS256 key with this kid, or None when the pool has (or, if unreachable, had) no such key."""
        key = self._keys.get(kid)
        if key is not None and self._clock() < self._fresh_until:
            return key
        self._refresh_if_due()
        return self._keys.get(kid)

    def _refresh_if_due(self) -> None:
        with self._lock:
            now = self._clock()
            if self._last_attempt is not None and now - self._last_attempt < self._refetch_interval:
                return
            self._last_attempt = now
            try:
                keys = usable_keys(self._fetch())
            except Exception as error:  # any failure: keep what we hold, fail closed for the rest
                logger.warning("JWKS fetch failed; keeping held keys", extra={"error": _describe(error)})
                return
            if not keys:
                logger.warning("JWKS has no usable RS256 signing key; keeping held keys")
                return
            self._keys = keys
            self._fresh_until = now + self._max_age
            logger.info("JWKS fetched", extra={"kids": sorted(keys)})


def usable_keys(jwks: Iterable[PyJWK]) -> dict[str, PyJWK]:
    """The keys that may sign our tokens: RSA, RS256, for signatures, at least 2048 bits, with a kid."""
    keys: dict[str, PyJWK] = {}
    for jwk in jwks:
        public_key = jwk.key
        if (
            jwk.key_id
            and jwk.algorithm_name == ALGORITHM
            and jwk.public_key_use in ("sig", None)
            and isinstance(public_key, RSAPublicKey)
            and public_key.key_size >= MIN_RSA_BITS
        ):
            keys[jwk.key_id] = jwk
    return keys


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]
