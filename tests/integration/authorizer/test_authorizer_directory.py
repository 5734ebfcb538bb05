"""The authorizer takes tenant status and tier from the published directory (an S3 object in moto), never
from the token's custom:tier: unknown and offboarded tenants are refused with a valid token, and a tier
change published to the object reaches existing users' tokens once the cached copy is older than its max age.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.errors import UnauthorizedError
from local.services.moto_server import MotoServer
from tests.integration.authorizer.conftest import LogLines
from tests.support.authorizer import (
    DIRECTORY,
    CognitoPool,
    claims_of,
    client,
    directory_entry,
    publish_directory,
    token_event,
)

pytestmark = pytest.mark.moto


@pytest.fixture
def own_directory(moto_server: MotoServer, directory_bucket: str) -> tuple[str, Callable[..., None]]:
    """A directory object of this test's own (the key), and how to publish a new version of it."""
    key = f"tests/{uuid.uuid4().hex}/tenants.json"

    def publish(entries: dict[str, dict[str, Any]]) -> None:
        publish_directory(moto_server.endpoint, directory_bucket, key, entries)

    publish(DIRECTORY)
    return key, publish


def test_a_valid_token_of_an_offboarded_tenant_is_refused(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines
) -> None:
    token = cognito.tokens("carol")["id"]
    assert claims_of(token)["custom:tenantId"] == "umbrella"  # the token itself is good

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(token))
    assert log_lines.reasons() == ["tenant 'umbrella' is offboarded"]


def test_a_valid_token_of_a_tenant_the_directory_does_not_list_is_refused(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines
) -> None:
    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("dave")["id"]))
    assert log_lines.reasons() == ["tenant 'hooli' is not in the tenant directory"]


def test_the_tier_is_the_directorys_whatever_custom_tier_says(authorizer: Authorizer, cognito: CognitoPool) -> None:
    # bad-tier's token claims tier "gold"; erin's (a user created without custom:tier) claims none.
    for username in ("bad-tier", "erin"):
        response = authorizer.authorize(token_event(cognito.tokens(username)["id"]))
        assert response["context"] == {"tenantId": "initech", "tier": "basic"}


def test_a_published_tier_change_reaches_an_existing_users_token_after_the_max_age(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: tuple[str, Callable[..., None]]
) -> None:
    key, publish = own_directory
    authorizer = make_authorizer(TENANT_DIRECTORY_KEY=key, TENANT_DIRECTORY_MAX_AGE="1")
    token = cognito.tokens("bob")["id"]  # created as a basic user: custom:tier "basic"
    assert authorizer.authorize(token_event(token))["context"] == {"tenantId": "globex", "tier": "basic"}

    publish({**DIRECTORY, "globex": directory_entry("globex", "premium")})
    # Within the max age the cached directory answers.
    assert authorizer.authorize(token_event(token))["context"]["tier"] == "basic"
    time.sleep(1.1)

    assert authorizer.authorize(token_event(token))["context"] == {"tenantId": "globex", "tier": "premium"}


def test_an_offboarding_published_later_refuses_the_same_token(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: tuple[str, Callable[..., None]]
) -> None:
    key, publish = own_directory
    authorizer = make_authorizer(TENANT_DIRECTORY_KEY=key, TENANT_DIRECTORY_MAX_AGE="0")
    token = cognito.tokens("alice")["id"]
    assert authorizer.authorize(token_event(token))["context"]["tenantId"] == "acme"

    publish({**DIRECTORY, "acme": directory_entry("acme", "premium", status="offboarded")})

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(token))


def test_a_bad_directory_document_fails_closed_with_the_reason_logged(
    make_authorizer: Callable[..., Authorizer],
    cognito: CognitoPool,
    moto_server: MotoServer,
    directory_bucket: str,
    log_lines: LogLines,
) -> None:
    key = f"tests/{uuid.uuid4().hex}/tenants.json"
    client("s3", moto_server.endpoint).put_object(Bucket=directory_bucket, Key=key, Body=b'{"version": 2}')
    authorizer = make_authorizer(TENANT_DIRECTORY_KEY=key)

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    errors = [record for record in log_lines.records if record["level"] == "ERROR"]
    assert [record["message"] for record in errors] == ["refused: tenant directory unavailable"]
    assert "is not a version 1 directory document" in errors[0]["reason"]


def test_a_missing_directory_object_fails_closed(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, log_lines: LogLines
) -> None:
    authorizer = make_authorizer(TENANT_DIRECTORY_KEY="tests/no-such/tenants.json")

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    errors = [record for record in log_lines.records if record["level"] == "ERROR"]
    assert "NoSuchKey" in errors[0]["reason"]
