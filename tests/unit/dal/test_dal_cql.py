"""CQL rendering from the table schemas: exact text, quoting, and refusals of bad identifiers."""

from __future__ import annotations

import pytest

from functions.contracts.tables import CUSTOMERS, ORDERS, ClusteringColumn, Column, TableSchema
from functions.dal import cql
from functions.dal.errors import InvalidQueryError


def test_create_keyspace_renders_local_replication() -> None:
    assert cql.create_keyspace("tenants_pool") == (
        'CREATE KEYSPACE IF NOT EXISTS "tenants_pool" WITH replication = '
        "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    )


def test_create_table_for_silo_keeps_the_schema_as_defined() -> None:
    assert cql.create_table("tenant_acme", ORDERS) == (
        'CREATE TABLE IF NOT EXISTS "tenant_acme"."orders" ("customer_id" text, "order_id" timeuuid, '
        '"status" text, "total_cents" bigint, "currency" text, "items" map<text, int>, "created_at" timestamp, '
        'PRIMARY KEY (("customer_id"), "order_id")) WITH CLUSTERING ORDER BY ("order_id" DESC)'
    )


def test_create_table_for_pool_leads_the_partition_key_with_tenant_id() -> None:
    ddl = cql.create_table("tenants_pool", CUSTOMERS.pooled())
    assert ddl.startswith('CREATE TABLE IF NOT EXISTS "tenants_pool"."customers" ("tenant_id" text, "customer_id" text')
    assert ddl.endswith('PRIMARY KEY (("tenant_id", "customer_id")))')
    assert "CLUSTERING ORDER" not in ddl


def test_dml_uses_bind_markers_only() -> None:
    pooled = ORDERS.pooled()
    assert cql.insert("tenants_pool", pooled) == (
        'INSERT INTO "tenants_pool"."orders" ("tenant_id", "customer_id", "order_id", "status", "total_cents", '
        '"currency", "items", "created_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?'
    )
    assert cql.select("tenants_pool", pooled, pooled.partition_key, ("order_id", "status"), limit=True) == (
        'SELECT "order_id", "status" FROM "tenants_pool"."orders" WHERE "tenant_id" = ? AND "customer_id" = ? LIMIT ?'
    )
    assert cql.delete("tenant_acme", ORDERS, ORDERS.primary_key) == (
        'DELETE FROM "tenant_acme"."orders" USING TIMESTAMP ? WHERE "customer_id" = ? AND "order_id" = ?'
    )


def test_scan_reads_every_column_and_the_write_time_of_each_non_key_column() -> None:
    assert cql.scan("tenant_acme", CUSTOMERS) == (
        'SELECT "customer_id", "name", "email", "created_at", WRITETIME("name") AS "writetime_name", '
        'WRITETIME("email") AS "writetime_email", WRITETIME("created_at") AS "writetime_created_at" '
        'FROM "tenant_acme"."customers"'
    )
    pooled = CUSTOMERS.pooled()
    assert cql.scan("tenants_pool", pooled, pooled.primary_key, writetimes=False) == (
        'SELECT "tenant_id", "customer_id" FROM "tenants_pool"."customers"'
    )


@pytest.mark.parametrize("keyspace", ['acme"; DROP KEYSPACE x; --', "tenant acme", "_tenant", "t" * 49, ""])
def test_keyspace_names_outside_the_keyspaces_rule_are_refused(keyspace: str) -> None:
    with pytest.raises(InvalidQueryError, match="keyspace name"):
        cql.create_keyspace(keyspace)
    with pytest.raises(InvalidQueryError, match="keyspace name"):
        cql.insert(keyspace, CUSTOMERS)


def test_bad_column_names_and_types_are_refused() -> None:
    bad_column = TableSchema("t", (Column('id" text, x', "text"),), partition_key=('id" text, x',))
    with pytest.raises(InvalidQueryError, match="column name"):
        cql.create_table("ks", bad_column)
    bad_type = TableSchema("t", (Column("id", "text); DROP TABLE t"),), partition_key=("id",))
    with pytest.raises(InvalidQueryError, match="column type"):
        cql.create_table("ks", bad_type)


def test_statements_name_only_columns_of_the_table() -> None:
    with pytest.raises(InvalidQueryError, match=r"has no columns \['password'\]"):
        cql.select("ks", CUSTOMERS, ("customer_id",), ("password",))
    with pytest.raises(InvalidQueryError, match="scan every partition"):
        cql.delete("ks", CUSTOMERS, ())


def test_clustering_order_follows_the_schema() -> None:
    events = TableSchema(
        "events",
        (Column("day", "date"), Column("at", "timestamp"), Column("seq", "int")),
        partition_key=("day",),
        clustering=(ClusteringColumn("at", "DESC"), ClusteringColumn("seq", "ASC")),
    )
    assert cql.create_table("ks", events).endswith(
        'PRIMARY KEY (("day"), "at", "seq")) WITH CLUSTERING ORDER BY ("at" DESC, "seq" ASC)'
    )


def test_replication_options_are_checked() -> None:
    with pytest.raises(InvalidQueryError, match="replication option"):
        cql.create_keyspace("ks", {"class": "SimpleStrategy'} AND durable_writes = false --"})
