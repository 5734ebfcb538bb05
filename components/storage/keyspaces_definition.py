"""A TableSchema as the `schema_definition` of a Pulumi `aws.keyspaces.Table`.

The provider checks column names and types against these patterns at `pulumi up`; checking them
here makes a bad schema fail in `make plan` and in the tests, with the table and column named.
"""

from __future__ import annotations

import re
from typing import Any

from components.errors import ComponentInputError
from functions.contracts.keyspaces import KEYSPACE_NAME_PATTERN
from functions.contracts.tables import TableSchema

# terraform-provider-aws (aws_keyspaces_table): column name and type validation.
COLUMN_NAME = re.compile(r"^[0-9a-z_]{1,48}$")
COLUMN_TYPE = re.compile(r"^[0-9a-z]+(<[0-9a-z]+(, *[0-9a-z]+)?>)?$")
TABLE_NAME = KEYSPACE_NAME_PATTERN  # CreateTable: the same rule as keyspace names


def schema_definition(table: TableSchema) -> dict[str, Any]:
    """`TableSchemaDefinitionArgsDict`: every column, the partition key, the clustering key and order."""
    _check(table)
    definition: dict[str, Any] = {
        "columns": [{"name": column.name, "type": column.cql_type} for column in table.columns],
        "partition_keys": [{"name": name} for name in table.partition_key],
    }
    if table.clustering:
        definition["clustering_keys"] = [{"name": key.name, "order_by": key.order} for key in table.clustering]
    return definition


def _check(table: TableSchema) -> None:
    if not TABLE_NAME.fullmatch(table.name):
        raise ComponentInputError(f"table name {table.name!r} does not match {TABLE_NAME.pattern}")
    for column in table.columns:
        if not COLUMN_NAME.fullmatch(column.name):
            raise ComponentInputError(
                f"table {table.name}: column name {column.name!r} does not match {COLUMN_NAME.pattern}"
            )
        if not COLUMN_TYPE.fullmatch(column.cql_type):
            raise ComponentInputError(
                f"table {table.name}: column {column.name} has type {column.cql_type!r}, which Keyspaces "
                f"tables declared through the AWS provider do not accept ({COLUMN_TYPE.pattern})"
            )
