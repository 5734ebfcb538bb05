"""The declared keyspaces and tables as CQL for the local Cassandra.

Read back from the `aws:keyspaces/table` schema definitions the program declares (not from the
schema module they were made from), so the sandbox's tables are what `pulumi up` would create.
"""

from __future__ import annotations

from typing import Any

from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import ClusteringColumn, Column, TableSchema
from functions.dal import cql
from local.sandbox.declared import DeclaredStack, DeclaredTable


def table_schema(table: DeclaredTable) -> TableSchema:
    definition: dict[str, Any] = table.schema
    return TableSchema(
        name=table.name,
        columns=tuple(Column(c["name"], c["type"]) for c in definition["columns"]),
        partition_key=tuple(k["name"] for k in definition["partitionKeys"]),
        clustering=tuple(ClusteringColumn(k["name"], k["orderBy"]) for k in definition.get("clusteringKeys", [])),
    )


def schema_statements(stack: DeclaredStack) -> list[str]:
    """Keyspaces first (the pooled one, then the others by name), then their tables; idempotent.

    Sorted: the program registers resources concurrently, so declaration order varies between runs.
    """

    def keyspace_order(keyspace: str) -> tuple[bool, str]:
        return (keyspace != POOLED_KEYSPACE, keyspace)

    statements = [cql.create_keyspace(keyspace) for keyspace in sorted(stack.keyspaces, key=keyspace_order)]
    tables = sorted(stack.tables, key=lambda table: (keyspace_order(table.keyspace), table.name))
    statements += [cql.create_table(table.keyspace, table_schema(table)) for table in tables]
    return statements
