"""Rows per tenant and table, read under the DAL with an operator's session: for the demo and tests.

Not for application code: it reads every tenant's tables (a full scan of the pooled ones), which is
fine for a local Cassandra and wrong for production traffic. A silo tenant's rows are its
keyspace's rows; a pooled tenant's are the pooled rows whose tenant_id is its id.

    with node.cql() as session:
        row_counts(session, directory)  # {"acme": {"customers": 3, "orders": 10}, "globex": {...}}
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cassandra.cluster import Session

from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_ID_COLUMN, TENANT_TABLES, TableSchema
from functions.dal import cql
from functions.dal.directory import TenantDirectory

TIMEOUT = 60.0


def pooled_counts(session: Session, table: TableSchema) -> Counter[str]:
    """tenant_id -> rows in the pooled table (one paged scan of the tenant_id column)."""
    statement = f"SELECT {cql.column(TENANT_ID_COLUMN)} FROM {cql.qualified(POOLED_KEYSPACE, table.name)}"
    return Counter(_value(row, TENANT_ID_COLUMN) for row in session.execute(statement, timeout=TIMEOUT))


def keyspace_count(session: Session, keyspace: str, table: TableSchema) -> int:
    statement = f"SELECT COUNT(*) AS n FROM {cql.qualified(keyspace, table.name)}"
    return int(_value(session.execute(statement, timeout=TIMEOUT).one(), "n"))


def row_counts(
    session: Session, directory: TenantDirectory, tables: tuple[TableSchema, ...] = TENANT_TABLES
) -> dict[str, dict[str, int]]:
    """Every active tenant of the directory -> table name -> rows it holds; 0 where it has none.

    Offboarded tenants are left out: their data is no longer served (and a silo keyspace may be gone).
    """
    served = [record for record in directory.records() if record.status == "active"]
    counts: dict[str, dict[str, int]] = {record.tenant_id: {} for record in served}
    for table in tables:
        pooled = pooled_counts(session, table)
        for record in served:
            rows = pooled[record.tenant_id] if record.pooled else keyspace_count(session, record.keyspace, table)
            counts[record.tenant_id][table.name] = rows
    return counts


def _value(row: Any, name: str) -> Any:
    """A column of a row from any row factory (dict, named tuple)."""
    return row[name] if isinstance(row, dict) else getattr(row, name)
