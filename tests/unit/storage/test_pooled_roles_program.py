"""The pooled roles as the program declares them: one per shard, each trusting exactly its served basic
tenants, each trust policy within the quota, and the directory pointing each basic tenant at its shard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.storage_runs import StorageRun, run_roster
from tiers.naming import Namer

BASIC = [f"basic-tenant-{n:04d}" for n in range(400)]
ROSTER: list[dict[str, str]] = [
    {"id": "acme", "tier": "premium"},
    {"id": "oldcorp", "tier": "premium", "status": "offboarded"},
    {"id": "vandelay", "tier": "basic", "status": "offboarded"},
    *({"id": tenant_id, "tier": "basic"} for tenant_id in BASIC),
]
QUOTA = 2048


@pytest.fixture(scope="module")
def run() -> StorageRun:
    return run_roster(ROSTER, quotas={"apiKeys": 1000, "apiThrottle": 100_000})


def pooled_roles(run: StorageRun) -> dict[str, Any]:
    """Logical name -> role, for the roles under PooledStorage."""
    (pooled,) = run.declaration.of_type("tenant-pipeline:storage:PooledStorage")
    return {r.name: r for r in run.declaration.children_of(pooled.urn) if r.type == "aws:iam/role:Role"}


def trusted_tags(role: Any) -> list[str]:
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["ForAllValues:StringEquals"] == {"aws:TagKeys": ["TenantId"]}
    return list(statement["Condition"]["StringEquals"]["aws:RequestTag/TenantId"])


def test_the_served_basic_tenants_are_spread_over_several_roles_each_listed_once(run: StorageRun) -> None:
    roles = pooled_roles(run)
    assert len(roles) > 1
    listed = [tenant_id for role in roles.values() for tenant_id in trusted_tags(role)]
    assert sorted(listed) == sorted(BASIC)  # each once; never acme, oldcorp or vandelay


def test_every_declared_trust_policy_fits_the_quota_as_iam_counts_it(run: StorageRun) -> None:
    for role in pooled_roles(run).values():
        text = role.inputs["assumeRolePolicy"]
        assert sum(not c.isspace() for c in text) <= QUOTA
        assert len(text) <= QUOTA  # rendered compact: the same count with or without white space


def test_shard_zero_keeps_the_single_pooled_roles_names_and_the_others_are_numbered(run: StorageRun) -> None:
    namer = Namer("test")
    roles = pooled_roles(run)
    shards = sorted(int(name.rsplit("-", 1)[1]) if name != "pooled-storage-role" else 0 for name in roles)
    assert shards[0] == 0
    for shard in shards:
        name = "pooled-storage-role" if shard == 0 else f"pooled-storage-role-{shard}"
        role = roles[name]
        assert role.inputs["name"] == namer.pooled_tenant_role(shard)
        assert role.inputs["path"] == namer.tenant_role_path()
        read = next(s for s in run.role_policy(name)["Statement"] if s["Sid"] == "ReadOwnPrefix")
        assert read["Resource"].endswith("/tenant=${aws:PrincipalTag/TenantId}/*")
    assert namer.pooled_tenant_role(0) == "tenant-pipeline-test-pooled-tenants"
    assert namer.pooled_tenant_role(3) == "tenant-pipeline-test-pooled-tenants-3"


def test_the_directory_names_each_basic_tenants_shard_role_and_no_role_for_others(run: StorageRun) -> None:
    tenants = run.outputs["tenants"]
    by_tag = {tag: role.outputs["arn"] for role in pooled_roles(run).values() for tag in trusted_tags(role)}
    for tenant_id in BASIC:
        assert tenants[tenant_id]["roleArn"] == by_tag[tenant_id]
    assert tenants["vandelay"]["roleArn"] is None and tenants["oldcorp"]["roleArn"] is None
    assert "pooled" not in tenants["acme"]["roleArn"]
