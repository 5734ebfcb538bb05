"""The DAL's directory read from the published slices (moto) through the shared reader: refreshed after its max
age, so a tier change, a move between cells or an offboarding reaches a running DAL without a restart; fails closed."""

from __future__ import annotations

from typing import Any

import pytest

from functions.contracts.cells import DIRECTORY_PREFIX
from functions.dal import InvalidTenantDirectoryError, TenantContext, TenantDirectory, TenantOffboardedError
from local.services.moto_server import MotoServer
from tests.support.authorizer import DIRECTORY, ManualClock, client, directory_entry
from tests.support.slices import own_prefix, put_slice

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-dal-directory-tests"
GLOBEX = TenantContext("globex", "basic")
BASIC = {tenant_id: entry for tenant_id, entry in DIRECTORY.items() if entry["tier"] == "basic"}
PREMIUM = {tenant_id: entry for tenant_id, entry in DIRECTORY.items() if entry["tier"] == "premium"}


@pytest.fixture(scope="module")
def s3(moto_server: MotoServer) -> Any:
    s3 = client("s3", moto_server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def test_the_dal_follows_the_published_slices(s3: Any) -> None:
    prefix = own_prefix()
    put_slice(s3, BUCKET, prefix, "basic-1", BASIC)
    put_slice(s3, BUCKET, prefix, "premium-1", PREMIUM)
    clock = ManualClock()
    directory = TenantDirectory.from_s3(BUCKET, prefix, s3=s3, max_age=30, clock=clock)
    assert directory.resolve(GLOBEX).keyspace == "tenants_pool"

    # globex moves to the premium cell; its old cell republishes without it.
    put_slice(s3, BUCKET, prefix, "premium-1", {**PREMIUM, "globex": directory_entry("globex", "premium")})
    put_slice(s3, BUCKET, prefix, "basic-1", {k: v for k, v in BASIC.items() if k != "globex"})
    assert directory.resolve(GLOBEX).tier == "basic"  # the cached copy, within the max age
    clock.advance(30)

    record = directory.resolve(GLOBEX)  # the token still says basic: the directory decides
    assert (record.tier, record.keyspace, record.cell) == ("premium", "tenant_globex", "premium-1")

    gone = {**PREMIUM, "globex": directory_entry("globex", "premium", status="offboarded")}
    put_slice(s3, BUCKET, prefix, "premium-1", gone)
    clock.advance(30)
    with pytest.raises(TenantOffboardedError):
        directory.resolve(GLOBEX)


def test_an_unreadable_directory_refuses_every_tenant(s3: Any) -> None:
    prefix = own_prefix()
    put_slice(s3, BUCKET, prefix, "basic-1", BASIC)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}premium-1.json", Body=b"{}")
    directory = TenantDirectory.from_s3(BUCKET, prefix, s3=s3)

    with pytest.raises(InvalidTenantDirectoryError, match=r"s3://.*/premium-1.json .* is not a valid tenant directory"):
        directory.resolve(GLOBEX)
    with pytest.raises(InvalidTenantDirectoryError, match=r"no tenant directory slice .* found under"):
        TenantDirectory.from_s3(BUCKET, own_prefix(), s3=s3).records()


def test_the_default_prefix_is_the_contracts(s3: Any) -> None:
    bucket = "tenant-pipeline-dal-directory-default"
    s3.create_bucket(Bucket=bucket)
    put_slice(s3, bucket, DIRECTORY_PREFIX, "basic-1", BASIC)

    assert sorted(record.tenant_id for record in TenantDirectory.from_s3(bucket, s3=s3).records()) == sorted(BASIC)
