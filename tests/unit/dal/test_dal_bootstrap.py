"""Schema bootstrap DDL for a list of keyspaces: pooled tables in the pool, tables as defined elsewhere."""

from __future__ import annotations

import pytest

from functions.contracts.tables import TENANT_ID_COLUMN, TENANT_TABLES
from functions.dal import TenantDirectory, cql
from functions.dal.bootstrap import directory_keyspaces, keyspace_statements, schema_statements
from functions.dal.errors import InvalidQueryError
from tests.support.directory_data import DIRECTORY


def test_the_pooled_keyspace_gets_pooled_tables_and_a_silo_keyspace_the_tables_as_defined() -> None:
    statements = keyspace_statements(["tenants_pool", "tenant_acme"])
    per_keyspace = 1 + len(TENANT_TABLES)  # the keyspace, then each table
    assert len(statements) == 2 * per_keyspace
    pool, silo = statements[:per_keyspace], statements[per_keyspace:]
    assert pool[0].startswith('CREATE KEYSPACE IF NOT EXISTS "tenants_pool"')
    assert silo[0].startswith('CREATE KEYSPACE IF NOT EXISTS "tenant_acme"')
    for table, pooled_ddl, silo_ddl in zip(TENANT_TABLES, pool[1:], silo[1:], strict=True):
        assert pooled_ddl == cql.create_table("tenants_pool", table.pooled())
        assert silo_ddl == cql.create_table("tenant_acme", table)
        # The pooled variant leads every partition key with the tenant id; the silo table has no tenant id.
        assert f'PRIMARY KEY (("{TENANT_ID_COLUMN}", ' in pooled_ddl
        assert f'"{TENANT_ID_COLUMN}"' not in silo_ddl


def test_keyspaces_are_created_once_in_the_given_order() -> None:
    statements = keyspace_statements(["tenant_b", "tenant_a", "tenant_b"])
    keyspaces = [s.split('"')[1] for s in statements if s.startswith("CREATE KEYSPACE")]
    assert keyspaces == ["tenant_b", "tenant_a"]


def test_the_directory_names_the_pool_and_each_silo_keyspace() -> None:
    directory = TenantDirectory.from_mapping(DIRECTORY)
    silos = sorted({entry["keyspace"] for entry in DIRECTORY.values()} - {"tenants_pool"})
    assert directory_keyspaces(directory) == ["tenants_pool", *silos]
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
