"""Verifying a Cognito user pool token: nothing in it is trusted until every check has passed.

Order: size, header (alg RS256 only, a kid), signature with the pool's key for that kid, registered
claims (iss, exp, nbf, iat with a small leeway), then Cognito's own (token_use, app client) and the
tenant claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from .config import AuthorizerConfig
from .jwks import ALGORITHM, SigningKeys
from .refusal import RefusedError
from .tenancy import Tenant, tenant_from_claims

# Cognito tokens are 1-4 KB (groups and custom claims make them grow); anything far larger is refused
# before it is decoded, so a huge header cannot cost base64 and JSON work.
MAX_TOKEN_LENGTH = 8192
LEEWAY_SECONDS = 10
MAX_SUBJECT_LENGTH = 256
REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use"]
BEARER = "bearer "

# PyJWT with every check on; the audience is Cognito-specific (aud or client_id), checked below.
_DECODER = jwt.PyJWT(
    options={
        "verify_aud": False,
        "require": REQUIRED_CLAIMS,
        "enforce_minimum_key_length": True,
    }
)


@dataclass(frozen=True)
class Identity:
    subject: str
    tenant: Tenant
    token_use: str


class TokenVerifier:
    def __init__(self, config: AuthorizerConfig, keys: SigningKeys):
        self._client_ids = config.app_client_ids
        self._issuers = config.issuers
        self._keys = keys

    def verify(self, authorization: str) -> Identity:
        """The identity a token proves; RefusedError (with the reason, never the token) otherwise."""
        token = _strip_bearer(authorization)
        if not token:
            raise RefusedError("no token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise RefusedError(f"token longer than {MAX_TOKEN_LENGTH} characters")
        key = self._key_for(token)
        claims = self._decode(token, key)
        token_use = self._check_client(claims)
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
            raise RefusedError("claim sub is empty or too long")
        return Identity(subject=subject, tenant=tenant_from_claims(claims), token_use=token_use)

    def _key_for(self, token: str) -> jwt.PyJWK:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise RefusedError(f"malformed token: {_describe(error)}") from None
        # Checked before any key lookup: alg none, HS256 with the public key as secret, and every
        # other algorithm are refused here (PyJWT refuses them again below).
        if header.get("alg") != ALGORITHM:
            raise RefusedError(f"header alg is not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise RefusedError("header has no kid")
        key = self._keys.get(kid)
        if key is None:
            raise RefusedError("kid is not a signing key of the user pool")
        return key

    def _decode(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            return _DECODER.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                issuer=self._issuers,
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise RefusedError(f"token rejected: {_describe(error)}") from None

    def _check_client(self, claims: dict[str, Any]) -> str:
        """token_use is id or access, and the token was issued to one of our app clients."""
        token_use = claims["token_use"]
        if token_use == "id":
            client = claims.get("aud")
        elif token_use == "access":
            client = claims.get("client_id")
        else:
            raise RefusedError("claim token_use is neither id nor access")
        if not isinstance(client, str) or client not in self._client_ids:
            raise RefusedError(f"{token_use} token was not issued to a configured app client")
        return str(token_use)


def _strip_bearer(authorization: str) -> str:
    if authorization[: len(BEARER)].lower() == BEARER:
        return authorization[len(BEARER) :].strip()
    return authorization.strip()


def _describe(error: Exception) -> str:
    # PyJWT's messages name the failed check, not the token's content; cut anyway.
    return f"{type(error).__name__}: {error}"[:200]
