"""The DAL's directory read from the published S3 object (moto) through the shared reader: refreshed after
its max age, so a tier change or an offboarding reaches a running DAL without a restart; fails closed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from functions.dal import InvalidTenantDirectoryError, TenantContext, TenantDirectory, TenantOffboardedError
from local.services.moto_server import MotoServer
from tests.support.authorizer import DIRECTORY, ManualClock, client, directory_entry, directory_json

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-dal-directory-tests"
GLOBEX = TenantContext("globex", "basic")


@pytest.fixture(scope="module")
def s3(moto_server: MotoServer) -> Any:
    s3 = client("s3", moto_server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def test_the_dal_follows_the_published_directory(s3: Any) -> None:
    key = f"{uuid.uuid4().hex}/tenants.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=directory_json(DIRECTORY).encode())
    clock = ManualClock()
    directory = TenantDirectory.from_s3(BUCKET, key, s3=s3, max_age=30, clock=clock)
    assert directory.resolve(GLOBEX).keyspace == "tenants_pool"

    moved = {**DIRECTORY, "globex": directory_entry("globex", "premium")}
    s3.put_object(Bucket=BUCKET, Key=key, Body=directory_json(moved).encode())
    assert directory.resolve(GLOBEX).tier == "basic"  # the cached copy, within the max age
    clock.advance(30)

    record = directory.resolve(GLOBEX)  # the token still says basic: the directory decides
    assert (record.tier, record.keyspace) == ("premium", "tenant_globex")

    gone = {**moved, "globex": directory_entry("globex", "premium", status="offboarded")}
    s3.put_object(Bucket=BUCKET, Key=key, Body=directory_json(gone).encode())
    clock.advance(30)
    with pytest.raises(TenantOffboardedError):
        directory.resolve(GLOBEX)


def test_an_unreadable_directory_refuses_every_tenant(s3: Any) -> None:
    key = f"{uuid.uuid4().hex}/tenants.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"{}")
    directory = TenantDirectory.from_s3(BUCKET, key, s3=s3)

    with pytest.raises(InvalidTenantDirectoryError, match=r"s3://.* is not a valid tenant directory"):
        directory.resolve(GLOBEX)
    with pytest.raises(InvalidTenantDirectoryError, match=r"NoSuchKey"):
        TenantDirectory.from_s3(BUCKET, "no/such/tenants.json", s3=s3).records()
