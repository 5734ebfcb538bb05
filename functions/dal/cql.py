"""CQL text for the tenant tables, rendered from the TableSchema data.

Pure functions: the DAL prepares these statements and the local schema bootstrap runs the DDL.
Every identifier is checked and double-quoted, and values are never rendered: DML uses `?`
bind markers only, so no caller input can ever become CQL text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from functions.contracts.keyspaces import KEYSPACE_NAME_PATTERN
from functions.contracts.tables import TableSchema
from functions.dal.errors import InvalidQueryError

# Columns follow CQL's unquoted identifiers (keyspace and table names: the contracts' Keyspaces rule).
_COLUMN = re.compile(r"[a-z][a-z0-9_]{0,47}")
# A CQL type as TableSchema writes it: `text`, `map<text, int>`, `frozen<list<text>>`.
_CQL_TYPE = re.compile(r"[a-z][a-z0-9]*(<[a-z0-9<>, ]+>)?")

# One local node: replication factor 1. Amazon Keyspaces keyspaces are created by Pulumi, not here.
LOCAL_REPLICATION: Mapping[str, str | int] = {"class": "SimpleStrategy", "replication_factor": 1}


def name(value: str, what: str = "keyspace or table") -> str:
    """A quoted keyspace or table name; refuses anything outside [a-zA-Z0-9][a-zA-Z0-9_]{0,47}."""
    if not KEYSPACE_NAME_PATTERN.fullmatch(value):
        raise InvalidQueryError(f"{what} name {value!r} is not [a-zA-Z0-9][a-zA-Z0-9_]{{0,47}}")
    return f'"{value}"'


def column(value: str) -> str:
    if not _COLUMN.fullmatch(value):
        raise InvalidQueryError(f"column name {value!r} is not a lowercase CQL identifier")
    return f'"{value}"'


def cql_type(value: str) -> str:
    if not _CQL_TYPE.fullmatch(value):
        raise InvalidQueryError(f"column type {value!r} is not a CQL type")
    return value


def qualified(keyspace: str, table: str) -> str:
    return f"{name(keyspace, 'keyspace')}.{name(table, 'table')}"


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise InvalidQueryError(f"replication option {value!r} has characters a keyspace option never needs")
    return f"'{value}'"


# -------------------------------------------------------------------------------------------------- DDL
def create_keyspace(keyspace: str, replication: Mapping[str, str | int] = LOCAL_REPLICATION) -> str:
    options = ", ".join(f"{_literal(key)}: {_literal(value)}" for key, value in replication.items())
    return f"CREATE KEYSPACE IF NOT EXISTS {name(keyspace, 'keyspace')} WITH replication = {{{options}}}"


def create_table(keyspace: str, table: TableSchema) -> str:
    columns = ", ".join(f"{column(c.name)} {cql_type(c.cql_type)}" for c in table.columns)
    partition = ", ".join(column(key) for key in table.partition_key)
    clustering = "".join(f", {column(c.name)}" for c in table.clustering)
    primary_key = f"PRIMARY KEY (({partition}){clustering})"
    ddl = f"CREATE TABLE IF NOT EXISTS {qualified(keyspace, table.name)} ({columns}, {primary_key})"
    if table.clustering:
        order = ", ".join(f"{column(c.name)} {c.order}" for c in table.clustering)
        ddl += f" WITH CLUSTERING ORDER BY ({order})"
    return ddl


# -------------------------------------------------------------------------------------------------- DML
def _where(keys: Sequence[str]) -> str:
    if not keys:
        raise InvalidQueryError("a statement without key columns would scan every partition")
    return " AND ".join(f"{column(key)} = ?" for key in keys)


# Every write carries its client timestamp (microseconds since the epoch) as a last bind marker: the two copies
# of a dual write share it, and the migration job copies a cell with its source write time
# (functions/contracts/migration.py), so Cassandra's last-write-wins orders them the same in both storages.
USING_TIMESTAMP = "USING TIMESTAMP ?"


def insert(keyspace: str, table: TableSchema) -> str:
    """An upsert of every column, in the order of table.columns, then its timestamp."""
    names = [c.name for c in table.columns]
    markers = ", ".join("?" for _ in names)
    listed = ", ".join(column(n) for n in names)
    return f"INSERT INTO {qualified(keyspace, table.name)} ({listed}) VALUES ({markers}) {USING_TIMESTAMP}"


def select(keyspace: str, table: TableSchema, keys: Sequence[str], columns: Sequence[str], limit: bool = False) -> str:
    """SELECT `columns` WHERE each of `keys` = ?; with `limit`, a last bind marker for LIMIT."""
    _check_columns(table, [*keys, *columns])
    names = ", ".join(column(c) for c in columns)
    statement = f"SELECT {names} FROM {qualified(keyspace, table.name)} WHERE {_where(keys)}"
    return statement + " LIMIT ?" if limit else statement


def delete(keyspace: str, table: TableSchema, keys: Sequence[str]) -> str:
    """DELETE with its timestamp first (bound before the keys), WHERE each of `keys` = ?."""
    _check_columns(table, keys)
    return f"DELETE FROM {qualified(keyspace, table.name)} {USING_TIMESTAMP} WHERE {_where(keys)}"


def writetime(name: str) -> str:
    """The alias a scan gives a column's write time: `writetime_<column>`."""
    return f"writetime_{name}"


def scan(keyspace: str, table: TableSchema, columns: Sequence[str] | None = None, writetimes: bool = True) -> str:
    """Every row of the table (paged by the driver): `columns` (default all) and, with `writetimes`, the write
    time of each non-key column as `writetime_<column>`. A maintenance scan (the lifecycle jobs), never a
    request's: it reads every partition."""
    names = [c.name for c in table.columns] if columns is None else list(columns)
    _check_columns(table, names)
    selected = [column(n) for n in names]
    if writetimes:
        keys = set(table.primary_key)
        selected += [f"WRITETIME({column(n)}) AS {column(writetime(n))}" for n in names if n not in keys]
    return f"SELECT {', '.join(selected)} FROM {qualified(keyspace, table.name)}"


def _check_columns(table: TableSchema, names: Sequence[str]) -> None:
    known = {c.name for c in table.columns}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidQueryError(f"table {table.name} has no columns {unknown}")
