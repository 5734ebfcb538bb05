"""Tokens from a real issuer (moto's Cognito) are allowed, with the tenant's context and API key."""

from __future__ import annotations

from collections.abc import Callable

import jwt
import pytest

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.errors import UnauthorizedError
from functions.contracts.api_keys import tenant_api_key
from tests.integration.authorizer.conftest import KEY_CELLS, LogLines
from tests.support.authorizer import (
    STAGE_ARN,
    CognitoPool,
    claims_of,
    create_secret,
    issuer_private_key,
    sign,
    token_event,
)

pytestmark = pytest.mark.moto


def test_id_token_from_cognito_is_allowed_on_the_stage_with_tenant_context_and_key(
    authorizer: Authorizer, cognito: CognitoPool, api_key_secret: str
) -> None:
    token = cognito.tokens("alice")["id"]

    response = authorizer.authorize(token_event(token))

    assert response == {
        "principalId": claims_of(token)["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [STAGE_ARN]}],
        },
        "context": {"tenantId": "acme", "tier": "premium"},
        "usageIdentifierKey": tenant_api_key(api_key_secret, "acme", KEY_CELLS["acme"]),
    }


def test_the_api_key_is_salted_with_the_records_key_cell(
    authorizer: Authorizer, cognito: CognitoPool, api_key_secret: str
) -> None:
    # initech's key is its cell's; globex's is from before cells, unsalted (conftest.KEY_CELLS).
    assert KEY_CELLS["initech"] is not None and KEY_CELLS["globex"] is None
    initech = authorizer.authorize(token_event(cognito.tokens("erin")["id"]))
    globex = authorizer.authorize(token_event(cognito.tokens("bob")["id"]))

    assert initech["usageIdentifierKey"] == tenant_api_key(api_key_secret, "initech", KEY_CELLS["initech"])
    assert initech["usageIdentifierKey"] != tenant_api_key(api_key_secret, "initech")
    assert globex["usageIdentifierKey"] == tenant_api_key(api_key_secret, "globex")


def test_each_tenant_gets_its_own_context_and_api_key(
    authorizer: Authorizer, cognito: CognitoPool, api_key_secret: str
) -> None:
    alice = authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    bob = authorizer.authorize(token_event(cognito.tokens("bob")["id"]))

    assert bob["context"] == {"tenantId": "globex", "tier": "basic"}
    assert bob["usageIdentifierKey"] == tenant_api_key(api_key_secret, "globex", KEY_CELLS["globex"])
    assert bob["usageIdentifierKey"] != alice["usageIdentifierKey"]
    assert bob["principalId"] != alice["principalId"]


def test_every_configured_app_client_is_accepted(authorizer: Authorizer, cognito: CognitoPool) -> None:
    token = cognito.tokens("bob", client_id=cognito.second_client_id)["id"]

    assert authorizer.authorize(token_event(token))["context"]["tenantId"] == "globex"


def test_bearer_prefix_is_accepted(authorizer: Authorizer, cognito: CognitoPool) -> None:
    token = cognito.tokens("alice")["id"]

    assert authorizer.authorize(token_event(f"Bearer {token}"))["context"]["tenantId"] == "acme"


def test_moto_access_token_without_tenant_claims_is_refused(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines
) -> None:
    # moto's (like Cognito's) access token carries no custom attributes: the tenant is unknown.
    token = cognito.tokens("alice")["access"]
    assert "custom:tenantId" not in claims_of(token)

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(token))
    assert log_lines.reasons() == ["claim custom:tenantId is missing or not a string"]


def test_access_token_carrying_tenant_claims_is_allowed(authorizer: Authorizer, cognito: CognitoPool) -> None:
    # What a pre-token-generation trigger (V2) produces: Cognito's access token plus the tenant claims,
    # signed by the pool's key.
    claims = claims_of(cognito.tokens("bob")["access"]) | {"custom:tenantId": "globex", "custom:tier": "basic"}
    token = sign(claims, issuer_private_key())

    response = authorizer.authorize(token_event(token))

    assert response["context"] == {"tenantId": "globex", "tier": "basic"}
    assert response["principalId"] == claims["sub"]


def test_the_policy_follows_the_calling_api_and_stage(authorizer: Authorizer, cognito: CognitoPool) -> None:
    method_arn = "arn:aws-cn:execute-api:cn-north-1:210987654321:zyx987/staging-2/GET/tenants/acme/orders"

    response = authorizer.authorize(token_event(cognito.tokens("alice")["id"], method_arn))

    assert response["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws-cn:execute-api:cn-north-1:210987654321:zyx987/staging-2/*/*"
    ]


@pytest.mark.parametrize(
    "method_arn",
    [
        "",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod",
        "arn:aws:lambda:us-east-1:123456789012:function:x/prod/GET/",
        "arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/",
    ],
)
def test_a_malformed_method_arn_is_refused(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines, method_arn: str
) -> None:
    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"], method_arn))
    assert log_lines.reasons() == ["methodArn is not an execute-api method ARN"]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "REQUEST", "authorizationToken": "x", "methodArn": "y"},
        {"type": "TOKEN", "methodArn": "y"},
        {"type": "TOKEN", "authorizationToken": None, "methodArn": "y"},
        {"type": "TOKEN", "authorizationToken": "x"},
        [],
    ],
)
def test_an_event_that_is_not_a_token_event_is_refused(authorizer: Authorizer, event: object) -> None:
    with pytest.raises(UnauthorizedError, match=r"^Unauthorized$"):
        authorizer.authorize(event)  # type: ignore[arg-type]


def test_an_unreadable_api_key_secret_fails_closed(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, log_lines: LogLines
) -> None:
    authorizer = make_authorizer(API_KEY_SECRET_PARAMETER="/tenant-pipeline/test/authorizer/no-such-parameter")

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    errors = [record for record in log_lines.records if record["level"] == "ERROR"]
    assert [error["message"] for error in errors] == ["refused: authorizer fault"]
    assert "no-such-parameter" in errors[0]["exception"]


def test_the_api_key_secret_is_cached_for_its_max_age(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool
) -> None:
    parameter = "/tenant-pipeline/test/authorizer/rotating-secret"
    old_secret = create_secret(cognito.endpoint, parameter)
    authorizer = make_authorizer(API_KEY_SECRET_PARAMETER=parameter)
    token = cognito.tokens("alice")["id"]
    assert authorizer.authorize(token_event(token))["usageIdentifierKey"] == tenant_api_key(
        old_secret, "acme", KEY_CELLS["acme"]
    )

    new_secret = create_secret(cognito.endpoint, parameter)

    # The warm instance keeps the secret it read (no SSM call per request) ...
    assert authorizer.authorize(token_event(token))["usageIdentifierKey"] == tenant_api_key(
        old_secret, "acme", KEY_CELLS["acme"]
    )
    # ... a new instance reads the new one.
    fresh = make_authorizer(API_KEY_SECRET_PARAMETER=parameter)
    assert fresh.authorize(token_event(token))["usageIdentifierKey"] == tenant_api_key(
        new_secret, "acme", KEY_CELLS["acme"]
    )


def test_tokens_are_verified_not_just_decoded(authorizer: Authorizer, cognito: CognitoPool) -> None:
    # The control for the refusal suite: re-signing a real token's claims with the issuer's key keeps
    # it valid, so a forged token in test_authorizer_refusals fails only for its one defect.
    token = cognito.tokens("alice")["id"]
    resigned = sign(claims_of(token), issuer_private_key())

    assert authorizer.authorize(token_event(resigned))["context"]["tenantId"] == "acme"
    assert jwt.get_unverified_header(resigned)["kid"] == jwt.get_unverified_header(token)["kid"]


def test_responses_do_not_share_the_cached_policy(authorizer: Authorizer, cognito: CognitoPool) -> None:
    token = cognito.tokens("alice")["id"]
    first = authorizer.authorize(token_event(token))
    first["policyDocument"]["Statement"][0]["Resource"].append("arn:aws:execute-api:us-east-1:123456789012:x/y/*/*")
    first["policyDocument"]["Statement"][0]["Effect"] = "Deny"

    second = authorizer.authorize(token_event(token))

    assert second["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [STAGE_ARN]}
    ]
