"""schemas/keyspaces_definition.py: a TableSchema as an aws.keyspaces.Table schema_definition."""

from __future__ import annotations

import pytest

from components.errors import ComponentInputError
from components.storage.keyspaces_definition import schema_definition
from functions.contracts.tables import CUSTOMERS, ORDERS, ClusteringColumn, Column, TableSchema


def test_orders_keeps_every_column_the_partition_key_and_the_clustering_order():
    definition = schema_definition(ORDERS)
    assert [c["name"] for c in definition["columns"]] == [c.name for c in ORDERS.columns]
    assert {"name": "items", "type": "map<text, int>"} in definition["columns"]
    assert definition["partition_keys"] == [{"name": "customer_id"}]
    assert definition["clustering_keys"] == [{"name": "order_id", "order_by": "DESC"}]


def test_a_table_without_clustering_columns_declares_none():
    assert "clustering_keys" not in schema_definition(CUSTOMERS)


def test_the_pooled_variant_leads_the_partition_key_with_tenant_id():
    definition = schema_definition(ORDERS.pooled())
    assert definition["partition_keys"] == [{"name": "tenant_id"}, {"name": "customer_id"}]
    assert definition["columns"][0] == {"name": "tenant_id", "type": "text"}


def test_a_type_the_provider_refuses_is_named_with_its_table_and_column():
    frozen = TableSchema("events", (Column("id", "text"), Column("tags", "frozen<list<text>>")), ("id",))
    with pytest.raises(ComponentInputError, match=r"table events: column tags has type 'frozen<list<text>>'"):
        schema_definition(frozen)


def test_an_upper_case_column_name_is_refused():
    table = TableSchema("events", (Column("Id", "text"),), ("Id",))
    with pytest.raises(ComponentInputError, match=r"table events: column name 'Id'"):
        schema_definition(table)


def test_a_table_name_keyspaces_cannot_hold_is_refused():
    table = TableSchema("order-items", (Column("id", "text"),), ("id",), (ClusteringColumn("id", "ASC"),))
    with pytest.raises(ComponentInputError, match=r"table name 'order-items'"):
        schema_definition(table)
