"""Verifying a Cognito user pool token: nothing in it is trusted until every check has passed.

Order: size, header (alg RS256 only, a kid), signature with the pool's key for that kid (jws.py), registered
claims (iss, exp, nbf, iat with a small leeway; claims.py), then Cognito's own (token_use, app client) and the
tenant id claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import jws
from .claims import check_registered_claims
from .config import AuthorizerConfig
from .errors import RefusedError
from .jwks import SigningKeys
from .tenancy import tenant_id_from_claims

# Cognito tokens are 1-4 KB (groups and custom claims make them grow); anything far larger is refused
# before it is decoded, so a huge header cannot cost base64 and JSON work.
MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 256
BEARER = "bearer "


@dataclass(frozen=True)
class Identity:
    subject: str
    tenant_id: str
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
        parsed = jws.parse(token)
        key = self._keys.get(parsed.kid)
        if key is None:
            raise RefusedError("kid is not a signing key of the user pool")
        claims = jws.verified_payload(parsed, key.key)
        check_registered_claims(claims, self._issuers)
        token_use = self._check_client(claims)
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
            raise RefusedError("claim sub is empty or too long")
        return Identity(subject=subject, tenant_id=tenant_id_from_claims(claims), token_use=token_use)

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
