"""Where a migrating tenant's reads and writes go, and what a directory entry of a migration must hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.contracts.directory import TenantRecord, directory_document, parse_document
from functions.contracts.errors import ContractError

SILO_ROLE = "arn:aws:iam::123456789012:role/silo"
POOL_ROLE = "arn:aws:iam::123456789012:role/pool"


def entry(state: str | None, verified: str | None = None, **migration: Any) -> dict[str, Any]:
    """acme moving basic -> premium in `state` (None: not moving)."""
    moving = None
    if state is not None:
        moving = {"fromTier": "basic", "state": state, "keyspace": "tenants_pool", "roleArn": POOL_ROLE}
        moving |= {"verified": verified} | migration
    return {
        "tier": "premium",
        "status": "active",
        "keyspace": "tenant_acme",
        "s3Prefix": "tenant=acme/",
        "roleArn": SILO_ROLE,
        "migration": moving,
    }


@pytest.mark.parametrize(
    ("state", "reads", "writes"),
    [
        (None, "tenant_acme", ("tenant_acme",)),
        ("copying", "tenants_pool", ("tenants_pool", "tenant_acme")),
        ("cutover", "tenant_acme", ("tenant_acme", "tenants_pool")),
        ("done", "tenant_acme", ("tenant_acme",)),
    ],
)
def test_each_state_reads_one_storage_and_writes_both_until_done(state, reads, writes):
    verified = None if state in (None, "copying") else "0123456789abcdef"
    record = TenantRecord.from_entry("acme", entry(state, verified))
    assert record.read_keyspace == reads
    assert record.write_keyspaces == writes
    # The read storage always gets the write: a reader never misses its own write.
    assert record.read_keyspace in record.write_keyspaces


def test_each_storage_is_reached_with_its_own_role():
    record = TenantRecord.from_entry("acme", entry("copying"))
    assert record.role_for("tenants_pool") == POOL_ROLE
    assert record.role_for("tenant_acme") == SILO_ROLE
    with pytest.raises(ContractError, match="no storage in keyspace 'tenant_globex'"):
        record.role_for("tenant_globex")


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (entry("cutover"), "needs the job's verified digest"),
        (entry("copying", "not-hex"), "verified 'not-hex'"),
        (entry("sideways"), "state 'sideways'"),
        (entry("copying", keyspace="tenant_globex"), "not the tenant's other storage"),
        (entry("copying", keyspace="tenant_acme"), "not the tenant's other storage"),
        (entry("copying", roleArn=None), "needs a roleArn"),
    ],
)
def test_a_bad_migration_entry_is_refused_naming_the_tenant_and_the_problem(bad, problem):
    with pytest.raises(ContractError, match="'acme'") as refused:
        TenantRecord.from_entry("acme", bad)
    assert problem in str(refused.value)


def test_the_document_round_trips_and_refuses_what_is_not_one():
    record = TenantRecord.from_entry("acme", entry("cutover", "0123456789abcdef"))
    text = json.dumps(directory_document([record]))
    assert parse_document(text) == {"acme": record}
    with pytest.raises(ContractError, match=r"s3://x/tenants\.json is not a version 1 directory document"):
        parse_document(json.dumps({"acme": record.to_entry()}), source="s3://x/tenants.json")
    with pytest.raises(ContractError, match="is not JSON"):
        parse_document(b"\xff")
