"""The offboarding job on the real Cassandra and moto's S3: `delete` leaves zero rows and zero object versions
of the tenant (and nothing of another tenant is touched); `retain` and an active tenant are refused with
everything left in place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from cassandra.cluster import Session

from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.tables import TENANT_TABLES
from functions.lifecycle.errors import OffboardRefusedError
from functions.lifecycle.offboard import run_offboarding
from functions.lifecycle.store import Cassandra
from local.services.cassandra import CassandraNode
from local.services.moto_server import MotoServer
from tests.integration.lifecycle.support import (
    Model,
    create_storages,
    dal_for,
    new_tenant,
    seed,
    served,
    stored_summaries,
)

pytestmark = [pytest.mark.cassandra, pytest.mark.moto]


def versions(s3: Any, bucket: str, prefix: str) -> tuple[int, int]:
    """(object versions, delete markers) under prefix."""
    found = [0, 0]
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        found[0] += len(page.get("Versions", []))
        found[1] += len(page.get("DeleteMarkers", []))
    return found[0], found[1]


def fill_bucket(s3: Any, bucket: str, tenants: list[str]) -> None:
    """Each tenant: 3 objects of 2 versions each, and one deleted object (a version and a delete marker)."""
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for tenant in tenants:
        for n in range(3):
            for version in range(2):
                s3.put_object(Bucket=bucket, Key=f"tenant={tenant}/2026/11/24/part-{n}.json", Body=f"{version}")
        s3.put_object(Bucket=bucket, Key=f"tenant={tenant}/gone.json", Body=b"x")
        s3.delete_object(Bucket=bucket, Key=f"tenant={tenant}/gone.json")


@dataclass
class Stores:
    port: int
    operator: Session
    cassandra: Cassandra
    s3: Any


@pytest.fixture
def stores(cassandra_node: CassandraNode, operator: Session, cassandra: Cassandra, aws_env: MotoServer) -> Stores:
    return Stores(cassandra_node.native_port, operator, cassandra, boto3.client("s3", region_name="us-east-1"))


def seeded(stores: Stores, tier: str) -> tuple[str, Model]:
    tenant = new_tenant("leaver")
    create_storages(stores.operator, tenant)
    model = Model()
    with dal_for(stores.port, served(tenant, tier)) as dal:
        seed(dal, served(tenant, tier), model, customers=30)
    return tenant, model


@pytest.mark.parametrize("tier", ["basic", "premium"], ids=["pooled", "silo"])
def test_delete_leaves_zero_rows_and_zero_object_versions(tier: str, stores: Stores, tmp_path: Path) -> None:
    cassandra, s3 = stores.cassandra, stores.s3
    tenant, model = seeded(stores, tier)
    neighbour, neighbour_model = seeded(stores, tier)
    bucket = f"offboard-{tenant}"
    fill_bucket(s3, bucket, [tenant, neighbour])
    assert versions(s3, bucket, f"tenant={tenant}/") == (7, 1)

    receipt, path = run_offboarding(
        served(tenant, tier, status="offboarded"),
        tenant,
        "delete",
        cassandra=cassandra,
        s3=s3,
        bucket=bucket,
        receipts=tmp_path / "receipts" / "dev",
    )

    own = POOLED_KEYSPACE if tier == "basic" else silo_keyspace(tenant)
    for keyspace in {own, POOLED_KEYSPACE}:
        assert all(s.rows == 0 for s in stored_summaries(cassandra, tenant, keyspace).values()), keyspace
    assert versions(s3, bucket, f"tenant={tenant}/") == (0, 0)
    # The neighbour (same pool, same bucket) keeps everything.
    neighbour_own = POOLED_KEYSPACE if tier == "basic" else silo_keyspace(neighbour)
    assert stored_summaries(cassandra, neighbour, neighbour_own) == {
        t.name: neighbour_model.summary(t) for t in TENANT_TABLES
    }
    assert versions(s3, bucket, f"tenant={neighbour}/") == (7, 1)

    written = json.loads(path.read_text())
    assert path.parent == tmp_path / "receipts" / "dev" and path.name.startswith(f"{tenant}-")
    assert written == receipt.to_json()
    assert written["rows_deleted"][f"{own}.customers"] == len(model.rows["customers"])
    assert written["rows_deleted"][f"{own}.orders"] == len(model.rows["orders"])
    assert (written["objects_deleted"], written["versions_deleted"], written["delete_markers_deleted"]) == (4, 7, 1)
    assert written["bucket"] == bucket and written["tenant"] == tenant


@pytest.mark.parametrize(("status", "strategy"), [("offboarded", "retain"), ("active", "delete")])
def test_retain_and_active_tenants_are_refused_and_keep_everything(
    status: str, strategy: str, stores: Stores, tmp_path: Path
) -> None:
    cassandra, s3 = stores.cassandra, stores.s3
    tenant, model = seeded(stores, "basic")
    bucket = f"retain-{tenant}"
    fill_bucket(s3, bucket, [tenant])
    with pytest.raises(OffboardRefusedError, match="nothing was deleted"):
        run_offboarding(
            served(tenant, "basic", status=status),
            tenant,
            strategy,
            cassandra=cassandra,
            s3=s3,
            bucket=bucket,
            receipts=tmp_path,
        )
    assert stored_summaries(cassandra, tenant, POOLED_KEYSPACE) == {t.name: model.summary(t) for t in TENANT_TABLES}
    assert versions(s3, bucket, f"tenant={tenant}/") == (7, 1)
    assert list(tmp_path.iterdir()) == []


def test_a_silo_keyspace_already_dropped_is_noted_and_the_rest_deleted(stores: Stores, tmp_path: Path) -> None:
    """`pulumi up` drops the silo keyspace (strategy delete) before the job runs: its pooled leftovers and
    objects are still deleted, and the receipt says the silo tables were already gone."""
    tenant = new_tenant("dropped")  # its silo keyspace was never created here: as after the drop
    bucket = f"dropped-{tenant}"
    fill_bucket(stores.s3, bucket, [tenant])
    receipt, _ = run_offboarding(
        served(tenant, "premium", status="offboarded"),
        tenant,
        "delete",
        cassandra=stores.cassandra,
        s3=stores.s3,
        bucket=bucket,
        receipts=tmp_path,
    )
    assert receipt.tables_absent == [f"{silo_keyspace(tenant)}.{t.name}" for t in TENANT_TABLES]
    assert receipt.rows_deleted == {f"{POOLED_KEYSPACE}.{t.name}": 0 for t in TENANT_TABLES}
    assert versions(stores.s3, bucket, f"tenant={tenant}/") == (0, 0)
