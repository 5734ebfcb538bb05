"""The S3 bucket name shape (functions/contracts/aws.py) is the one rule for the program's bucket ARNs and
the authorizer's directory bucket: both accept and refuse the same names (fullmatch)."""

from __future__ import annotations

import pytest

from components.errors import ComponentInputError
from components.storage.policies import AccountScope, silo_tenant_policy
from functions.authorizer.config import ConfigurationError, load_config
from functions.contracts.aws import is_bucket_name

GOOD_NAMES = ["abc", "tenant-pipeline-dev-ingest-123456789012-us-east-1", "a.b-c", "0" * 63]
BAD_NAMES = ["ab", "a" * 64, "Tenant", "-abc", "abc-", "ab_c", "a*c", "arn:aws:s3:::abc"]

AUTHORIZER_ENV = {
    "USER_POOL_ID": "eu-west-1_AbCdEf123",
    "APP_CLIENT_IDS": "1example23456789abcdefghij",
    "AWS_REGION": "eu-west-1",
    "API_KEY_SECRET_PARAMETER": "/tenant-pipeline/dev/api-key-secret",
}


def program_accepts(name: str) -> bool:
    try:
        silo_tenant_policy(
            AccountScope("us-east-1", "123456789012"),
            tenant_id="acme",
            keyspace="tenant_acme",
            tables=("orders",),
            bucket_arn=f"arn:aws:s3:::{name}",
            s3_prefix="tenant=acme/",
        )
    except ComponentInputError:
        return False
    return True


def authorizer_accepts(name: str) -> bool:
    try:
        load_config({**AUTHORIZER_ENV, "TENANT_DIRECTORY_BUCKET": name})
    except ConfigurationError:
        return False
    return True


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_a_bucket_name_is_accepted_everywhere(name: str) -> None:
    assert is_bucket_name(name)
    assert program_accepts(name)
    assert authorizer_accepts(name)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_bucket_name_is_refused_everywhere(name: str) -> None:
    assert not is_bucket_name(name)
    assert not program_accepts(name)
    assert not authorizer_accepts(name)


def test_only_a_whole_text_is_a_bucket_name() -> None:
    for value in ("", "abc\n", "\nabc", None, 123):
        assert not is_bucket_name(value)
