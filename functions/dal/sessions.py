"""One driver session per credential scope (tenant role + TenantId tag), opened on first use.

Why per tenant, pooled tenants included: Amazon Keyspaces authenticates a connection once, with
the SigV4 credentials it was opened with, so connections cannot be shared between credential
scopes. A silo tenant's scope is its own role; a pooled tenant's is the pooled role tagged with
its id. The cost is a Cluster (control connection, one connection per host, a few threads) and a
TLS + SigV4 handshake per tenant served by this process; `max_sessions` bounds that, closing the
least recently used tenant's session when a new tenant arrives. The hot path, a tenant already
connected, is one dict lookup.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
from cassandra.cluster import Cluster, Session

from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TableSchema
from functions.dal.errors import DalUsageError
from functions.dal.events import EVICTED_FOR_NEW_SCOPE, EVICTED_FOR_ROOM, DalEvents
from functions.dal.statements import PreparedTable

# A closed session may still have requests in flight on other threads: close it after they are done.
CLOSE_GRACE_SECONDS = 30.0


@dataclass
class Storage:
    """One keyspace holding the tenant's data, reached with the role that reaches it (record.role_for)."""

    keyspace: str
    aws_session: boto3.Session | None
    cluster: Cluster
    session: Session
    tables: dict[str, PreparedTable] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pooled(self) -> bool:
        """The pooled keyspace: its tables are the pooled variants (tenant_id leads the partition key)."""
        return self.keyspace == POOLED_KEYSPACE

    def table(self, schema: TableSchema) -> PreparedTable:
        """The table's statements in this session, prepared on first use."""
        prepared = self.tables.get(schema.name)
        if prepared is None:
            with self._lock:
                prepared = self.tables.get(schema.name)
                if prepared is None:
                    prepared = PreparedTable(self.session, self.keyspace, schema, self.pooled)
                    self.tables[schema.name] = prepared
        return prepared

    def close(self) -> None:
        self.cluster.shutdown()


@dataclass
class TenantConnection:
    """A tenant's credential scopes: its directory record and one Storage per keyspace its writes go to
    (record.write_keyspaces, in order: the first is where reads go; two while a migration copies or cuts over)."""

    record: TenantRecord
    storages: tuple[Storage, ...]
    last_used: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if tuple(s.keyspace for s in self.storages) != self.record.write_keyspaces:
            raise DalUsageError(
                f"tenant {self.record.tenant_id!r}: storages {[s.keyspace for s in self.storages]} "
                f"are not its write keyspaces {list(self.record.write_keyspaces)}"
            )

    @property
    def reads(self) -> Storage:
        """Where the tenant's reads go: record.read_keyspace, the first of its write keyspaces."""
        return self.storages[0]

    @property
    def tables(self) -> dict[str, PreparedTable]:
        return self.reads.tables

    def close(self) -> None:
        for storage in self.storages:
            storage.close()


Opener = Callable[[TenantRecord], TenantConnection]


class ConnectionPool:
    """Tenant id -> TenantConnection, at most `max_sessions` open at once."""

    def __init__(
        self,
        opener: Opener,
        max_sessions: int = 64,
        close_grace: float = CLOSE_GRACE_SECONDS,
        events: DalEvents | None = None,
    ):
        if max_sessions < 1:
            raise DalUsageError("max_sessions must be at least 1")
        self._opener = opener
        self.events = events or DalEvents()  # sessions opened and evicted are logged and counted
        self.max_sessions = max_sessions
        self.close_grace = close_grace
        self._connections: dict[str, TenantConnection] = {}
        self._retired: list[tuple[threading.Timer, TenantConnection]] = []
        self._opening = threading.Lock()
        self._closed = False

    def get(self, record: TenantRecord) -> TenantConnection:
        connection = self._connections.get(record.tenant_id)
        if connection is not None and connection.record == record:
            connection.last_used = time.monotonic()
            return connection
        return self._open(record)

    def _open(self, record: TenantRecord) -> TenantConnection:
        with self._opening:
            if self._closed:
                raise DalUsageError("the tenant data access layer is closed")
            connection = self._connections.get(record.tenant_id)
            if connection is not None and connection.record == record:
                return connection
            if connection is not None:  # the directory changed for this tenant: a new scope
                self._retire(self._connections.pop(record.tenant_id), EVICTED_FOR_NEW_SCOPE)
            while len(self._connections) >= self.max_sessions:
                oldest = min(self._connections.values(), key=lambda c: c.last_used)
                self._retire(self._connections.pop(oldest.record.tenant_id), EVICTED_FOR_ROOM)
            connection = self._opener(record)
            self._connections[record.tenant_id] = connection
            self.events.session_opened(record.tenant_id, record.pooled)
            return connection

    def _retire(self, connection: TenantConnection, reason: str) -> None:
        self.events.evicted(connection.record.tenant_id, reason)
        timer = threading.Timer(self.close_grace, connection.close)
        timer.daemon = True
        timer.start()
        self._retired = [(t, c) for t, c in self._retired if t.is_alive()] + [(timer, connection)]

    def open_tenants(self) -> list[str]:
        return list(self._connections)

    def close(self) -> None:
        with self._opening:
            self._closed = True
            connections = list(self._connections.values())
            self._connections.clear()
            for timer, connection in self._retired:
                if timer.is_alive():
                    timer.cancel()
                    connections.append(connection)
            self._retired.clear()
        for connection in connections:
            connection.close()
