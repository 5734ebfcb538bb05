"""Schema bootstrap DDL for a list of keyspaces: pooled tables in the pool, tables as defined elsewhere."""

from __future__ import annotations

import pytest

from functions.dal import TenantDirectory
from functions.dal.bootstrap import directory_keyspaces, keyspace_statements, schema_statements
from functions.dal.errors import InvalidQueryError
from tests.support.directory_data import DIRECTORY


def test_the_pooled_keyspace_gets_pooled_tables_and_a_silo_keyspace_the_tables_as_defined() -> None:
    statements = keyspace_statements(["tenants_pool", "tenant_acme"])
    assert statements[0].startswith('CREATE KEYSPACE IF NOT EXISTS "tenants_pool"')
    assert 'PRIMARY KEY (("tenant_id", "customer_id"), "order_id")' in statements[2]
    assert statements[3].startswith('CREATE KEYSPACE IF NOT EXISTS "tenant_acme"')
    assert statements[4].endswith('"created_at" timestamp, PRIMARY KEY (("customer_id")))')
    assert 'PRIMARY KEY (("customer_id"), "order_id")' in statements[5]
    assert len(statements) == 6


def test_keyspaces_are_created_once_in_the_given_order() -> None:
    statements = keyspace_statements(["tenant_b", "tenant_a", "tenant_b"])
    keyspaces = [s.split('"')[1] for s in statements if s.startswith("CREATE KEYSPACE")]
    assert keyspaces == ["tenant_b", "tenant_a"]


def test_the_directory_names_the_pool_and_each_premium_keyspace() -> None:
    directory = TenantDirectory.from_mapping(DIRECTORY)
    assert directory_keyspaces(directory) == ["tenants_pool", "tenant_acme", "tenant_acme_corp", "tenant_hooli"]
    assert schema_statements(directory) == keyspace_statements(directory_keyspaces(directory))


def test_a_keyspace_name_outside_the_rule_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match=r"keyspace name 'acme; DROP' is not"):
        keyspace_statements(["acme; DROP"])


def test_a_migrating_tenant_gets_both_storages() -> None:
    """Silo -> pool: the record's keyspace is the pool, its source silo must exist too (a migration declares both)."""
    moving = {
        **DIRECTORY["initech"],
        "migration": {
            "fromTier": "premium",
            "state": "copying",
            "keyspace": "tenant_initech",
            "roleArn": DIRECTORY["acme"]["roleArn"],
            "verified": None,
        },
    }
    directory = TenantDirectory.from_mapping({"initech": moving})
    assert directory_keyspaces(directory) == ["tenants_pool", "tenant_initech"]
