"""The declared keyspaces and tables as CQL for the local Cassandra.

Read back from the `aws:keyspaces/table` schema definitions the program declares (not from the
schema module they were made from), so the sandbox's tables are what `pulumi up` would create.
"""

from __future__ import annotations

from typing import Any

from sandbox.declared import DeclaredStack, DeclaredTable
from schemas import cql
from schemas.tables import ClusteringColumn, Column, TableSchema


def table_schema(table: DeclaredTable) -> TableSchema:
    definition: dict[str, Any] = table.schema
    return TableSchema(
        name=table.name,
        columns=tuple(Column(c["name"], c["type"]) for c in definition["columns"]),
        partition_key=tuple(k["name"] for k in definition["partitionKeys"]),
        clustering=tuple(ClusteringColumn(k["name"], k["orderBy"]) for k in definition.get("clusteringKeys", [])),
    )


def schema_statements(stack: DeclaredStack) -> list[str]:
    """Keyspaces first, then each keyspace's tables; idempotent."""
    statements = [cql.create_keyspace(keyspace) for keyspace in stack.keyspaces]
    statements += [cql.create_table(table.keyspace, table_schema(table)) for table in stack.tables]
    return statements
