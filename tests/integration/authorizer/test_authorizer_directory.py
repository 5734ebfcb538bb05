"""The authorizer takes tenant status, tier and API key salt from the published directory (the cells' slices in
moto's S3), never from the token's custom:tier: unknown and offboarded tenants are refused with a valid token, and a
tier change or a move between cells published to a slice reaches existing users' tokens once the cached copy is
older than its max age. A directory that cannot be trusted refuses everyone, with the reason logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.errors import UnauthorizedError
from functions.contracts.api_keys import tenant_api_key
from local.services.moto_server import MotoServer
from tests.integration.authorizer.conftest import SLICES, LogLines, publish_slices
from tests.support.authorizer import (
    CognitoPool,
    claims_of,
    client,
    directory_entry,
    token_event,
)
from tests.support.slices import own_prefix, put_slice, slice_json

pytestmark = pytest.mark.moto


@dataclass
class OwnDirectory:
    """Slices under a prefix of the test's own in the directory bucket."""

    s3: Any
    bucket: str
    prefix: str

    def publish(self, cell: str, entries: dict[str, dict[str, Any]]) -> None:
        put_slice(self.s3, self.bucket, self.prefix, cell, entries)

    def put(self, name: str, body: bytes) -> None:
        """Any object under the prefix: `name` is the key after it."""
        self.s3.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=body)


@pytest.fixture
def own_directory(moto_server: MotoServer, directory_bucket: str) -> OwnDirectory:
    """SLICES under a prefix of this test's own."""
    directory = OwnDirectory(client("s3", moto_server.endpoint), directory_bucket, own_prefix())
    publish_slices(directory.s3, directory.prefix, SLICES)
    return directory


def error_reasons(log_lines: LogLines) -> list[str]:
    errors = [record for record in log_lines.records if record["level"] == "ERROR"]
    assert {record["message"] for record in errors} == {"refused: tenant directory unavailable"}
    return [str(record["reason"]) for record in errors]


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
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: OwnDirectory
) -> None:
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=own_directory.prefix, TENANT_DIRECTORY_MAX_AGE="1")
    token = cognito.tokens("bob")["id"]  # created as a basic user: custom:tier "basic"
    assert authorizer.authorize(token_event(token))["context"] == {"tenantId": "globex", "tier": "basic"}

    own_directory.publish("basic-1", {**SLICES["basic-1"], "globex": directory_entry("globex", "standard")})
    # Within the max age the cached directory answers.
    assert authorizer.authorize(token_event(token))["context"]["tier"] == "basic"
    time.sleep(1.1)

    assert authorizer.authorize(token_event(token))["context"] == {"tenantId": "globex", "tier": "standard"}


def test_a_tenant_moved_to_another_cell_gets_the_key_its_new_record_names(
    make_authorizer: Callable[..., Authorizer],
    cognito: CognitoPool,
    api_key_secret: str,
    own_directory: OwnDirectory,
) -> None:
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=own_directory.prefix, TENANT_DIRECTORY_MAX_AGE="0")
    token = cognito.tokens("bob")["id"]
    old = authorizer.authorize(token_event(token))
    assert old["usageIdentifierKey"] == tenant_api_key(api_key_secret, "globex", SLICES["basic-1"]["globex"]["keyCell"])

    time.sleep(1.02 - time.time() % 1)  # S3 keeps LastModified in whole seconds: the new slice is the newer
    own_directory.publish("premium-2", {"globex": {**directory_entry("globex", "premium"), "keyCell": "premium-2"}})
    new = authorizer.authorize(token_event(token))  # the old cell still lists globex: the newer slice decides

    assert new["context"] == {"tenantId": "globex", "tier": "premium"}
    assert new["usageIdentifierKey"] == tenant_api_key(api_key_secret, "globex", "premium-2")
    assert new["usageIdentifierKey"] != old["usageIdentifierKey"]


def test_an_offboarding_published_later_refuses_the_same_token(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: OwnDirectory
) -> None:
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=own_directory.prefix, TENANT_DIRECTORY_MAX_AGE="0")
    token = cognito.tokens("alice")["id"]
    assert authorizer.authorize(token_event(token))["context"]["tenantId"] == "acme"

    offboarded = directory_entry("acme", "premium", status="offboarded")
    own_directory.publish("premium-1", {**SLICES["premium-1"], "acme": offboarded})

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(token))


def test_a_bad_slice_fails_closed_for_every_tenant_with_the_reason_logged(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: OwnDirectory, log_lines: LogLines
) -> None:
    own_directory.put("basic-2.json", b'{"version": 2}')
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=own_directory.prefix)

    with pytest.raises(UnauthorizedError):  # acme's own slice is good: no tenant is served from a partial directory
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    (reason,) = error_reasons(log_lines)
    assert f"{own_directory.prefix}basic-2.json" in reason
    assert "is not a version 1 directory document" in reason


def test_a_slice_holding_another_cells_record_fails_closed(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, own_directory: OwnDirectory, log_lines: LogLines
) -> None:
    own_directory.put("basic-2.json", slice_json("premium-1", SLICES["premium-1"]).encode())  # records naming premium-1
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=own_directory.prefix)

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    (reason,) = error_reasons(log_lines)
    assert "basic-2.json" in reason
    assert "every record must name its cell 'basic-2', but 'acme' names 'premium-1'" in reason


def test_no_slice_at_all_fails_closed(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, log_lines: LogLines
) -> None:
    prefix = own_prefix()
    authorizer = make_authorizer(TENANT_DIRECTORY_PREFIX=prefix)

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    (reason,) = error_reasons(log_lines)
    assert reason.startswith("no tenant directory slice") and prefix in reason


def test_a_directory_bucket_that_cannot_be_listed_fails_closed(
    make_authorizer: Callable[..., Authorizer], cognito: CognitoPool, log_lines: LogLines
) -> None:
    authorizer = make_authorizer(TENANT_DIRECTORY_BUCKET="tenant-pipeline-authorizer-no-such-bucket")

    with pytest.raises(UnauthorizedError):
        authorizer.authorize(token_event(cognito.tokens("alice")["id"]))
    (reason,) = error_reasons(log_lines)
    assert reason.startswith("cannot list s3://tenant-pipeline-authorizer-no-such-bucket/tenants/: NoSuchBucket")
