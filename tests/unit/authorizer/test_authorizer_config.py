"""Configuration from the environment: every bad variable is named; defaults follow docs/design.md."""

from __future__ import annotations

import pytest

from functions.authorizer.config import ConfigurationError, load_config
from functions.contracts.cells import DIRECTORY_PREFIX

GOOD = {
    "USER_POOL_ID": "eu-west-1_AbCdEf123",
    "APP_CLIENT_IDS": "1example23456789abcdefghij, 2example23456789abcdefghij",
    "AWS_REGION": "eu-west-1",
    "API_KEY_SECRET_PARAMETER": "/tenant-pipeline/dev/api-key-secret",
    "TENANT_DIRECTORY_BUCKET": "tenant-pipeline-dev-directory-123456789012-eu-west-1",
}


def test_good_configuration_and_defaults() -> None:
    config = load_config(GOOD)

    assert config.app_client_ids == {"1example23456789abcdefghij", "2example23456789abcdefghij"}
    assert config.jwks_url == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
    assert config.issuers == {
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
        "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    }
    assert (config.directory_bucket, config.directory_prefix) == (GOOD["TENANT_DIRECTORY_BUCKET"], DIRECTORY_PREFIX)
    assert config.directory_max_age == 60


@pytest.mark.parametrize("prefix", ["tenants/", "tests/run-1/tenants/"])
def test_the_directory_prefix_can_be_set(prefix: str) -> None:
    assert load_config({**GOOD, "TENANT_DIRECTORY_PREFIX": prefix}).directory_prefix == prefix
    assert load_config({**GOOD, "TENANT_DIRECTORY_PREFIX": " "}).directory_prefix == DIRECTORY_PREFIX


def test_the_directory_max_age_can_be_set() -> None:
    assert load_config({**GOOD, "TENANT_DIRECTORY_MAX_AGE": "0"}).directory_max_age == 0
    assert load_config({**GOOD, "TENANT_DIRECTORY_MAX_AGE": "2.5"}).directory_max_age == 2.5


def test_jwks_url_may_point_at_a_local_emulator() -> None:
    config = load_config({**GOOD, "JWKS_URL": "http://127.0.0.1:5000/eu-west-1_AbCdEf123/.well-known/jwks.json"})

    assert config.jwks_url.startswith("http://127.0.0.1:5000/")
    # The tokens of an emulator still carry the AWS issuer.
    assert "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" in config.issuers


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("USER_POOL_ID", "", "USER_POOL_ID is not set"),
        ("USER_POOL_ID", "AbCdEf123", "USER_POOL_ID 'AbCdEf123' is not a Cognito user pool id"),
        ("USER_POOL_ID", "eu-west-1_Ab/../x", "is not a Cognito user pool id"),
        ("APP_CLIENT_IDS", " ", "APP_CLIENT_IDS is not set"),
        ("APP_CLIENT_IDS", "abc,,def", "APP_CLIENT_IDS has entries that are not app client ids: ['']"),
        ("APP_CLIENT_IDS", "abc,d e", "APP_CLIENT_IDS has entries that are not app client ids: ['d e']"),
        ("AWS_REGION", "", "AWS_REGION is not set"),
        ("AWS_REGION", "Europe", "AWS_REGION 'Europe' is not an AWS region"),
        ("API_KEY_SECRET_PARAMETER", "", "API_KEY_SECRET_PARAMETER is not set"),
        ("API_KEY_SECRET_PARAMETER", "secret name", "API_KEY_SECRET_PARAMETER 'secret name' is not an SSM parameter"),
        ("JWKS_URL", "http://keys.example.com/jwks.json", "JWKS_URL 'http://keys.example.com/jwks.json' must be https"),
        ("JWKS_URL", "file:///etc/passwd", "JWKS_URL 'file:///etc/passwd' has no host"),
        ("JWKS_URL", "ftp://127.0.0.1/jwks.json", "must be https"),
        ("TENANT_DIRECTORY_BUCKET", "", "TENANT_DIRECTORY_BUCKET is not set"),
        ("TENANT_DIRECTORY_BUCKET", "Tenant_Directory", "'Tenant_Directory' is not an S3 bucket"),
        (
            "TENANT_DIRECTORY_PREFIX",
            "tenants",
            "TENANT_DIRECTORY_PREFIX 'tenants' is not a key prefix that ends with '/'",
        ),
        ("TENANT_DIRECTORY_PREFIX", "tenants.json", "TENANT_DIRECTORY_PREFIX 'tenants.json' is not a key prefix"),
        ("TENANT_DIRECTORY_PREFIX", "k" * 1024 + "/", "TENANT_DIRECTORY_PREFIX is longer than 1024 bytes"),
        ("TENANT_DIRECTORY_MAX_AGE", "soon", "TENANT_DIRECTORY_MAX_AGE 'soon' is not a number of seconds"),
        ("TENANT_DIRECTORY_MAX_AGE", "-1", "is not a number of seconds from 0 to 900"),
        ("TENANT_DIRECTORY_MAX_AGE", "3600", "is not a number of seconds from 0 to 900"),
        ("TENANT_DIRECTORY_MAX_AGE", "nan", "is not a number of seconds from 0 to 900"),
    ],
)
def test_bad_variable_is_named(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^authorizer configuration: ") as error:
        load_config({**GOOD, variable: value})

    assert message in str(error.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        load_config({})

    assert str(error.value) == (
        "authorizer configuration: USER_POOL_ID is not set; APP_CLIENT_IDS is not set; "
        "AWS_REGION is not set; API_KEY_SECRET_PARAMETER is not set; TENANT_DIRECTORY_BUCKET is not set"
    )
