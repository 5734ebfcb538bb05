"""One table's prepared statements in one tenant's session, prepared once and reused.

The CQL comes from functions/dal/cql.py with the keyspace from the tenant directory: no caller input
is ever part of the statement text. Every statement is idempotent, so retries are safe.
"""

from __future__ import annotations

import time

from cassandra.cluster import Session
from cassandra.query import PreparedStatement

from functions.contracts.tables import TableSchema
from functions.dal import cql
from functions.dal.rows import RowShape


def prepare(session: Session, statement: str) -> PreparedStatement:
    prepared = session.prepare(statement)
    prepared.is_idempotent = True  # upserts, deletes and reads of client-chosen keys: safe to run twice
    return prepared


def client_timestamp() -> int:
    """A write's client timestamp: microseconds since the epoch, what `USING TIMESTAMP` takes."""
    return time.time_ns() // 1000


class PreparedTable:
    """One table in one keyspace: insert / get (full primary key) / find (partition, LIMIT ?) / delete.
    Writes bind their client timestamp last (cql.USING_TIMESTAMP)."""

    def __init__(self, session: Session, keyspace: str, table: TableSchema, pooled: bool):
        self.shape = RowShape(table, pooled)
        texts = self.texts(keyspace, table, pooled)
        self.insert = prepare(session, texts["insert"])
        self.get = prepare(session, texts["get"])
        self.find = prepare(session, texts["find"])
        self.delete = prepare(session, texts["delete"])

    @staticmethod
    def texts(keyspace: str, table: TableSchema, pooled: bool) -> dict[str, str]:
        """The same statements as text (for the benchmark's bare-driver side and for tests)."""
        stored = table.pooled() if pooled else table
        columns = tuple(c.name for c in table.columns)  # rows come back as written: without tenant_id
        return {
            "insert": cql.insert(keyspace, stored),
            "get": cql.select(keyspace, stored, stored.primary_key, columns),
            "find": cql.select(keyspace, stored, stored.partition_key, columns, limit=True),
            "delete": cql.delete(keyspace, stored, stored.primary_key),
        }


class MaintenanceTable(PreparedTable):
    """A table's DAL statements plus the lifecycle jobs' own: the scans (every row with its cells' write times,
    and every row's primary key; they read every partition, so requests never use them; rows come back as
    stored, a pooled row with its tenant_id) and delete_partition (one partition, timestamp bound first)."""

    def __init__(self, session: Session, keyspace: str, table: TableSchema, pooled: bool):
        super().__init__(session, keyspace, table, pooled)
        stored = table.pooled() if pooled else table
        self.scan = prepare(session, cql.scan(keyspace, stored))
        self.scan_keys = prepare(session, cql.scan(keyspace, stored, stored.primary_key, writetimes=False))
        self.delete_partition = prepare(session, cql.delete(keyspace, stored, stored.partition_key))
