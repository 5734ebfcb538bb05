"""The jobs' view of one tenant's table in one keyspace: scan its rows page by page, copy rows in, read a
row back, delete its partitions. Every statement is the DAL's (functions/dal/statements.py), rendered from
the table schemas; a pooled table is filtered to the tenant's rows (tenant_id leads its partition key).

Sessions: one per keyspace, with the role the tenant's record gives for it (record.role_for), assumed with
the TenantId tag as the DAL does; where the record names no role (an offboarded tenant, a released source),
the job's own credentials.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from cassandra import DriverException
from cassandra.cluster import Cluster, NoHostAvailable, ResponseFuture, Session
from cassandra.protocol import InvalidRequest

from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_ID_COLUMN, TableSchema
from functions.dal.connection import AmazonKeyspaces, Endpoint, connect
from functions.dal.credentials import RoleAssumer
from functions.dal.statements import MaintenanceTable, client_timestamp
from functions.lifecycle.errors import MissingTableError, StorageError
from functions.lifecycle.rows import cell_groups, copy_timestamp, own_row

JOB_TIMEOUT = 60.0  # a scan page or a write; the DAL's request timeout is for requests, shorter
PAGE_SIZE = 500


@dataclass
class TableSide:
    """One tenant's rows of one table in one keyspace."""

    tenant_id: str
    keyspace: str
    schema: TableSchema  # as defined (no tenant_id): what rows are compared and copied as
    session: Session
    statements: MaintenanceTable

    @property
    def where(self) -> str:
        return f"{self.keyspace}.{self.schema.name}"

    def _mine(self, stored: Mapping[str, Any]) -> bool:
        return not self.statements.shape.pooled or stored.get(TENANT_ID_COLUMN) == self.tenant_id

    def pages(
        self, paging_state: bytes | None = None, page_size: int = PAGE_SIZE, keys_only: bool = False
    ) -> Iterator[tuple[list[dict[str, Any]], bytes | None]]:
        """(the tenant's stored rows of a page, the paging state after it), from `paging_state` to the end."""
        statement = self.statements.scan_keys if keys_only else self.statements.scan
        state = paging_state
        while True:
            result = self._execute(functools.partial(self._page, statement, state, page_size))
            rows = [row for row in result.current_rows if self._mine(row)]
            state = result.paging_state
            yield rows, state
            if state is None:
                return

    def _page(self, statement: Any, paging_state: bytes | None, page_size: int) -> Any:
        bound = statement.bind([])
        bound.fetch_size = page_size
        return self.session.execute(bound, paging_state=paging_state, timeout=JOB_TIMEOUT)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row of the tenant, as the table defines it."""
        for page, _ in self.pages():
            yield from (own_row(stored, self.schema) for stored in page)

    def copy_async(self, stored: Mapping[str, Any]) -> list[ResponseFuture]:
        """Write a row scanned from the other side here, each group of cells with its source write time."""
        shape = self.statements.shape
        futures = []
        now = client_timestamp()
        for written, row in cell_groups(stored, self.schema):
            timestamp = copy_timestamp(written, now)
            bound = self.statements.insert.bind([*shape.insert_values(self.tenant_id, row), timestamp])
            futures.append(self.session.execute_async(bound, timeout=JOB_TIMEOUT))
        return futures

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        shape = self.statements.shape
        bound = self.statements.get.bind(shape.key_values(self.tenant_id, key, shape.primary_key))
        row = self._execute(lambda: self.session.execute(bound, timeout=JOB_TIMEOUT).one())
        return None if row is None else own_row(row, self.schema)

    def delete_all(self, page_size: int = PAGE_SIZE, on_step: Callable[[str, int], None] | None = None) -> int:
        """Delete every partition of the tenant here (the DAL's partition delete, timestamped now); the rows
        there were. Partitions are listed first, then deleted, so the scan never pages over its own deletes."""
        partitions: dict[tuple[Any, ...], int] = {}
        for page, _ in self.pages(page_size=page_size, keys_only=True):
            for stored in page:
                key = tuple(stored[name] for name in self.schema.partition_key)
                partitions[key] = partitions.get(key, 0) + 1
        shape = self.statements.shape
        timestamp = client_timestamp()
        futures = []
        for done, key in enumerate(partitions):
            if on_step is not None:
                on_step(self.schema.name, done)
            values = shape.key_values(
                self.tenant_id, dict(zip(self.schema.partition_key, key, strict=True)), shape.partition_key
            )
            futures.append(self.session.execute_async(self.statements.delete_partition.bind([timestamp, *values])))
        wait(futures, self.where)
        return sum(partitions.values())

    def _execute(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (DriverException, NoHostAvailable) as error:
            raise StorageError(f"{self.where}: {type(error).__name__}: {error}") from error


def wait(futures: list[ResponseFuture], where: str) -> None:
    """Wait for every write; the first failure is a StorageError naming where (the others still finish)."""
    failure: BaseException | None = None
    for future in futures:
        try:
            future.result()
        except (DriverException, NoHostAvailable) as error:
            failure = failure or error
    if failure is not None:
        raise StorageError(f"{where}: a write failed: {type(failure).__name__}: {failure}") from failure


@dataclass
class Cassandra:
    """The jobs' sessions: one per keyspace and role, opened on first use, closed together."""

    endpoint: Endpoint
    roles: RoleAssumer | None = None
    _sessions: dict[tuple[str, str | None], tuple[Cluster, Session]] = field(default_factory=dict)

    def side(self, tenant_id: str, keyspace: str, role_arn: str | None, schema: TableSchema) -> TableSide:
        session = self._session(tenant_id, keyspace, role_arn)
        try:
            statements = MaintenanceTable(session, keyspace, schema, keyspace == POOLED_KEYSPACE)
        except InvalidRequest as error:
            if "does not exist" in str(error) or "unconfigured table" in str(error):
                raise MissingTableError(f"{keyspace}.{schema.name} does not exist: {error}") from error
            raise StorageError(f"{keyspace}.{schema.name}: cannot prepare the DAL's statements: {error}") from error
        except (DriverException, NoHostAvailable) as error:
            raise StorageError(f"{keyspace}.{schema.name}: cannot prepare the DAL's statements: {error}") from error
        return TableSide(tenant_id, keyspace, schema, session, statements)

    def _session(self, tenant_id: str, keyspace: str, role_arn: str | None) -> Session:
        opened = self._sessions.get((keyspace, role_arn))
        if opened is None:
            aws_session: boto3.Session | None = None
            if role_arn is not None and self.roles is not None:
                aws_session = self.roles.session_for(tenant_id, role_arn)
            elif isinstance(self.endpoint, AmazonKeyspaces):
                aws_session = boto3.Session()  # no role to assume: the job's own credentials
            try:
                opened = connect(self.endpoint, aws_session, JOB_TIMEOUT)
            except NoHostAvailable as error:
                raise StorageError(f"cannot reach Cassandra / Amazon Keyspaces for {keyspace}: {error}") from error
            self._sessions[(keyspace, role_arn)] = opened
        return opened[1]

    def close(self) -> None:
        for cluster, _ in self._sessions.values():
            cluster.shutdown()
        self._sessions.clear()

    def __enter__(self) -> Cassandra:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
