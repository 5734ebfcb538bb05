"""Rows and keys from callers, checked against a table and turned into bind values. Pure.

Callers write the table as defined in functions/contracts/tables.py, for either storage model: no `tenant_id`. The
tenant comes from the context; a `tenant_id` that names another tenant is refused, one that
names the caller's own tenant is redundant and dropped. For a pooled table the tenant id is
bound first, where `TableSchema.pooled()` puts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cassandra.query import UNSET_VALUE

from functions.contracts.tables import TENANT_ID_COLUMN, TableSchema
from functions.dal.errors import CrossTenantAccessError, DalUsageError, InvalidQueryError

MAX_LIMIT = 10_000


class RowShape:
    """The caller's view of one table: its columns, its keys, and how they are bound."""

    def __init__(self, table: TableSchema, pooled: bool):
        if TENANT_ID_COLUMN in {c.name for c in table.columns}:
            raise DalUsageError(f"table {table.name}: the base schema must not hold {TENANT_ID_COLUMN}")
        self.table = table
        self.pooled = pooled
        self.columns: tuple[str, ...] = tuple(c.name for c in table.columns)
        self.primary_key: tuple[str, ...] = table.primary_key
        self.partition_key: tuple[str, ...] = table.partition_key
        self._known = frozenset(self.columns)

    def insert_values(self, tenant_id: str, row: Mapping[str, Any]) -> list[Any]:
        """Bind values for the upsert: every column in order; a column the row leaves out stays unset."""
        if TENANT_ID_COLUMN in row:
            _same_tenant(tenant_id, row[TENANT_ID_COLUMN])
            row = {k: v for k, v in row.items() if k != TENANT_ID_COLUMN}
        if not self._known.issuperset(row):
            raise InvalidQueryError(f"table {self.table.name} has no columns {sorted(set(row) - self._known)}")
        for key in self.primary_key:
            if row.get(key) is None:
                raise InvalidQueryError(f"table {self.table.name}: key column {key!r} is missing or null")
        values = [row.get(name, UNSET_VALUE) for name in self.columns]
        return [tenant_id, *values] if self.pooled else values

    def key_values(self, tenant_id: str, key: Mapping[str, Any], columns: tuple[str, ...]) -> list[Any]:
        """Bind values for WHERE `columns` = ?: exactly these columns, none null."""
        if TENANT_ID_COLUMN in key:
            _same_tenant(tenant_id, key[TENANT_ID_COLUMN])
            key = {k: v for k, v in key.items() if k != TENANT_ID_COLUMN}
        if key.keys() != set(columns):
            raise InvalidQueryError(
                f"table {self.table.name}: expected exactly the key columns {list(columns)}, got {sorted(key)}"
            )
        values = [key[name] for name in columns]
        if any(value is None for value in values):
            raise InvalidQueryError(f"table {self.table.name}: key values must not be null")
        return [tenant_id, *values] if self.pooled else values


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQueryError(f"limit {limit!r} is not an integer in 1..{MAX_LIMIT}")
    return limit


def _same_tenant(tenant_id: str, named: Any) -> None:
    if named != tenant_id:
        raise CrossTenantAccessError(tenant_id, named)
