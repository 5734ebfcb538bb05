"""The bad-token suite: one case per class of bad token. Each is refused the same way (Unauthorized,
nothing else) and logs the reason of the check that caught it, never the token.

Forged tokens start from a real moto token's claims and are signed with moto's own key (the issuer's),
unless the class is about the key, so each carries exactly one defect; test_authorizer_allow shows
that the same re-signing without a defect is allowed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.claims import LEEWAY_SECONDS
from functions.authorizer.errors import UnauthorizedError
from functions.authorizer.tokens import MAX_TOKEN_LENGTH
from tests.integration.authorizer.conftest import LogLines
from tests.support.authorizer import (
    MOTO_KID,
    CognitoPool,
    b64,
    b64_json,
    claims_of,
    issuer_private_key,
    new_rsa_key,
    now,
    public_jwk,
    segments,
    sign,
    token_event,
)

pytestmark = pytest.mark.moto

ISSUER_KEY = issuer_private_key()
OTHER_KEY = new_rsa_key()


@dataclass(frozen=True)
class Case:
    forge: Callable[[CognitoPool], str]
    reason: str  # the start of the logged reason: proves which check caught it


def id_claims(pool: CognitoPool, **changes: object) -> dict[str, object]:
    claims: dict[str, object] = claims_of(pool.tokens("alice")["id"])
    claims.update(changes)
    return claims


def without(claim: str) -> Callable[[CognitoPool], str]:
    def forge(pool: CognitoPool) -> str:
        claims = id_claims(pool)
        del claims[claim]
        return sign(claims, ISSUER_KEY)

    return forge


def signed(**changes: object) -> Callable[[CognitoPool], str]:
    return lambda pool: sign(id_claims(pool, **changes), ISSUER_KEY)


def unsigned_alg_none(pool: CognitoPool) -> str:
    return f"{b64_json({'alg': 'none', 'kid': MOTO_KID})}.{b64_json(id_claims(pool))}."


def hs256_with_public_key(pool: CognitoPool) -> str:
    # The classic confusion attack: the pool's public key (public, in the JWKS) used as an HMAC secret.
    public_pem = ISSUER_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64_json({'alg': 'HS256', 'kid': MOTO_KID, 'typ': 'JWT'})}.{b64_json(id_claims(pool))}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def embedded_jwk(pool: CognitoPool) -> str:
    # CVE-2018-0114 style: the token brings its own key in the header.
    return jwt.encode(
        id_claims(pool), OTHER_KEY, algorithm="RS256", headers={"kid": MOTO_KID, "jwk": public_jwk(OTHER_KEY, "x")}
    )


def tampered_payload(pool: CognitoPool) -> str:
    header, _, signature = segments(pool.tokens("alice")["id"])
    return f"{header}.{b64_json(id_claims(pool, **{'custom:tenantId': 'globex'}))}.{signature}"


def tampered_header(pool: CognitoPool) -> str:
    _, payload, signature = segments(pool.tokens("alice")["id"])
    return f"{b64_json({'alg': 'RS256', 'kid': MOTO_KID, 'typ': 'JWT', 'x': 1})}.{payload}.{signature}"


def respelled_signature(pool: CognitoPool) -> str:
    # A 2048-bit signature is 342 base64url characters, the last carrying 4 unused bits: setting one
    # gives another spelling of the same bytes, which a lax decoder would accept.
    token = pool.tokens("alice")["id"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:-1] + alphabet[alphabet.index(token[-1]) | 1]


def oversized(pool: CognitoPool) -> str:
    # Validly signed by the issuer: only the size check can refuse it.
    return sign(id_claims(pool, padding="x" * MAX_TOKEN_LENGTH), ISSUER_KEY)


def other_pool_issuer(pool: CognitoPool) -> str:
    return sign(id_claims(pool, iss=pool.issuer.replace(pool.pool_id, "us-east-1_0ther9oo1")), ISSUER_KEY)


def access_token_with_tenant(client_id: Callable[[CognitoPool], str]) -> Callable[[CognitoPool], str]:
    def forge(pool: CognitoPool) -> str:
        claims = claims_of(pool.tokens("alice")["access"])
        claims.update({"custom:tenantId": "acme", "custom:tier": "premium", "client_id": client_id(pool)})
        return sign(claims, ISSUER_KEY)

    return forge


CASES: dict[str, Case] = {
    # time
    "expired": Case(signed(iat=now() - 7200, exp=now() - 3600), "token has expired (exp)"),
    "expired beyond the leeway": Case(signed(exp=now() - LEEWAY_SECONDS - 5), "token has expired (exp)"),
    "not yet valid (nbf)": Case(signed(nbf=now() + 3600), "token is not yet valid (nbf)"),
    "issued in the future (iat)": Case(signed(iat=now() + 3600), "token is not yet valid (iat)"),
    "missing exp": Case(without("exp"), "claim exp is missing"),
    "exp not a number": Case(signed(exp=str(now() + 3600)), "claim exp is not a NumericDate"),
    "exp a boolean": Case(signed(exp=True), "claim exp is not a NumericDate"),
    "exp Infinity (not JSON)": Case(signed(exp=float("inf")), "malformed token: payload is not JSON"),
    "missing iat": Case(without("iat"), "claim iat is missing"),
    # issuer
    "wrong issuer (another pool)": Case(other_pool_issuer, "claim iss is not the user pool"),
    "wrong issuer (not Cognito)": Case(signed(iss="https://evil.example.com/x"), "claim iss is not the user pool"),
    "missing issuer": Case(without("iss"), "claim iss is missing"),
    # app client
    "wrong audience (an app client we do not accept)": Case(
        lambda pool: pool.tokens("alice", client_id=pool.foreign_client_id)["id"],
        "id token was not issued to a configured app client",
    ),
    "audience as a list": Case(
        lambda pool: sign(id_claims(pool, aud=[pool.client_id]), ISSUER_KEY),
        "id token was not issued to a configured app client",
    ),
    "access token for another client": Case(
        access_token_with_tenant(lambda pool: pool.foreign_client_id),
        "access token was not issued to a configured app client",
    ),
    # token_use
    "wrong token_use": Case(signed(token_use="refresh"), "claim token_use is neither id nor access"),
    "missing token_use": Case(without("token_use"), "claim token_use is missing"),
    "id token relabelled as access": Case(
        signed(token_use="access"), "access token was not issued to a configured app client"
    ),
    # tenant claims
    "missing tenant claim": Case(
        lambda pool: pool.tokens("no-tenant")["id"], "claim custom:tenantId is missing or not a string"
    ),
    "malformed tenant claim": Case(
        lambda pool: pool.tokens("bad-tenant")["id"], "claim custom:tenantId does not match"
    ),
    "tenant claim with a trailing newline": Case(
        signed(**{"custom:tenantId": "acme\n"}), "claim custom:tenantId does not match"
    ),
    "tenant claim too long": Case(signed(**{"custom:tenantId": "a" * 33}), "claim custom:tenantId does not match"),
    "tenant claim not a string": Case(
        signed(**{"custom:tenantId": ["acme"]}), "claim custom:tenantId is missing or not a string"
    ),
    # custom:tier is never read (the directory names the tier): test_authorizer_directory.py
    "missing sub": Case(without("sub"), "claim sub is missing"),
    # algorithm and key
    "alg none": Case(unsigned_alg_none, "header alg is not RS256"),
    "HS256 signed with the public key": Case(hs256_with_public_key, "header alg is not RS256"),
    "RS512 by the issuer's key": Case(
        lambda pool: sign(id_claims(pool), ISSUER_KEY, algorithm="RS512"), "header alg is not RS256"
    ),
    "PS256 by the issuer's key": Case(
        lambda pool: sign(id_claims(pool), ISSUER_KEY, algorithm="PS256"), "header alg is not RS256"
    ),
    "valid signature by another key under the pool's kid": Case(
        lambda pool: sign(id_claims(pool), OTHER_KEY), "invalid signature"
    ),
    "key embedded in the header": Case(embedded_jwk, "invalid signature"),
    "unknown kid": Case(
        lambda pool: sign(id_claims(pool), OTHER_KEY, kid="not-a-pool-key"), "kid is not a signing key of the user pool"
    ),
    "no kid": Case(lambda pool: sign(id_claims(pool), ISSUER_KEY, kid=None), "header has no kid"),
    "kid not a string": Case(
        lambda pool: f"{b64_json({'alg': 'RS256', 'kid': 7})}.{segments(pool.tokens('alice')['id'])[1]}.c2ln",
        "header has no kid",
    ),
    "critical header extension": Case(
        lambda pool: sign(id_claims(pool), ISSUER_KEY, extra_headers={"crit": ["exp"], "exp": 1}),
        "header has critical extensions",
    ),
    "tampered payload": Case(tampered_payload, "invalid signature"),
    "tampered header": Case(tampered_header, "invalid signature"),
    "signature stripped": Case(
        lambda pool: pool.tokens("alice")["id"].rsplit(".", 1)[0] + ".", "malformed token: signature is not base64url"
    ),
    "signature in a second spelling": Case(
        respelled_signature, "malformed token: signature is not canonical base64url"
    ),
    "padded segments": Case(
        lambda pool: pool.tokens("alice")["id"] + "==", "malformed token: signature is not base64url"
    ),
    # not a token at all
    "empty header value": Case(lambda pool: "", "no token"),
    "blank header value": Case(lambda pool: "   ", "no token"),
    "bare Bearer": Case(lambda pool: "Bearer ", "no token"),
    "garbage": Case(lambda pool: "garbage-not-a-jwt", "malformed token: not three segments"),
    "three garbage segments": Case(lambda pool: "a.b.c", "malformed token: header is not base64url"),
    "dots only": Case(lambda pool: "..", "malformed token: header is not base64url"),
    "header not JSON": Case(lambda pool: f"{b64(b'not json')}.e30.c2ln", "malformed token: header is not JSON"),
    "header a JSON array": Case(
        lambda pool: f"{b64_json(['RS256'])}.e30.c2ln", "malformed token: header is not a JSON object"
    ),
    "non-ASCII": Case(lambda pool: "ü.ü.ü", "malformed token: not ASCII"),
    "payload not JSON": Case(
        lambda pool: f"{segments(pool.tokens('alice')['id'])[0]}.{b64(b'{not json')}.c2ln",
        "invalid signature",  # the payload is never parsed before the signature verified
    ),
    "four segments": Case(lambda pool: pool.tokens("alice")["id"] + ".e30", "malformed token: not three segments"),
    "oversized token": Case(oversized, f"token longer than {MAX_TOKEN_LENGTH} characters"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_token_is_refused_with_the_reason_logged(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines, case: Case
) -> None:
    token = case.forge(cognito)

    with pytest.raises(UnauthorizedError) as refused:
        authorizer.authorize(token_event(token))

    # The caller learns nothing: the one message API Gateway maps to 401, no chained cause.
    assert str(refused.value) == "Unauthorized"
    assert refused.value.__context__ is None and refused.value.__cause__ is None
    reasons = log_lines.reasons()
    assert len(reasons) == 1 and reasons[0].startswith(case.reason), reasons
    # The log never holds the token, nor its signature.
    for part in (token.strip(), *[s for s in segments(token) if len(s) > 16]):
        if len(part) > 16:
            assert all(part not in line for line in log_lines.lines)


def test_expiry_within_the_leeway_is_accepted(authorizer: Authorizer, cognito: CognitoPool) -> None:
    token = sign(id_claims(cognito, exp=now() - LEEWAY_SECONDS + 3), ISSUER_KEY)

    assert authorizer.authorize(token_event(token))["context"]["tenantId"] == "acme"


def test_not_before_within_the_leeway_is_accepted(authorizer: Authorizer, cognito: CognitoPool) -> None:
    token = sign(id_claims(cognito, nbf=now() + LEEWAY_SECONDS - 3, iat=now() + LEEWAY_SECONDS - 3), ISSUER_KEY)

    assert authorizer.authorize(token_event(token))["context"]["tenantId"] == "acme"


def test_every_refusal_reads_the_same_to_the_caller(authorizer: Authorizer, cognito: CognitoPool) -> None:
    answers = set()
    for case in CASES.values():
        with pytest.raises(UnauthorizedError) as refused:
            authorizer.authorize(token_event(case.forge(cognito)))
        answers.add((type(refused.value).__name__, str(refused.value), json.dumps(refused.value.args)))

    assert answers == {("UnauthorizedError", "Unauthorized", '["Unauthorized"]')}
