"""The tenant tables, defined once.

A silo (premium) keyspace holds each table as written here. The pooled keyspace holds the same
table with `tenant_id` leading the partition key, so no partition ever mixes tenants and every
query has to name its tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from functions.contracts.errors import ContractError

TENANT_ID_COLUMN = "tenant_id"

ClusteringOrder = Literal["ASC", "DESC"]


@dataclass(frozen=True)
class Column:
    name: str
    cql_type: str  # a CQL type that Amazon Keyspaces supports


@dataclass(frozen=True)
class ClusteringColumn:
    name: str
    order: ClusteringOrder


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    partition_key: tuple[str, ...]
    clustering: tuple[ClusteringColumn, ...] = ()

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ContractError(f"table {self.name}: duplicate column names")
        keys = [*self.partition_key, *(c.name for c in self.clustering)]
        missing = [key for key in keys if key not in names]
        if missing:
            raise ContractError(f"table {self.name}: key columns {missing} are not columns")

    @property
    def primary_key(self) -> tuple[str, ...]:
        return (*self.partition_key, *(c.name for c in self.clustering))

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def pooled(self) -> TableSchema:
        """The pooled variant: `tenant_id` first in the columns and the partition key."""
        return replace(
            self,
            columns=(Column(TENANT_ID_COLUMN, "text"), *self.columns),
            partition_key=(TENANT_ID_COLUMN, *self.partition_key),
        )


CUSTOMERS = TableSchema(
    name="customers",
    columns=(
        Column("customer_id", "text"),
        Column("name", "text"),
        Column("email", "text"),
        Column("created_at", "timestamp"),
    ),
    partition_key=("customer_id",),
)

ORDERS = TableSchema(
    name="orders",
    columns=(
        Column("customer_id", "text"),
        Column("order_id", "timeuuid"),
        Column("status", "text"),
        Column("total_cents", "bigint"),
        Column("currency", "text"),
        Column("items", "map<text, int>"),
        Column("created_at", "timestamp"),
    ),
    partition_key=("customer_id",),
    # Newest order first: the usual read is "this customer's recent orders".
    clustering=(ClusteringColumn("order_id", "DESC"),),
)

TENANT_TABLES: tuple[TableSchema, ...] = (CUSTOMERS, ORDERS)
