"""The data access API for one tenant table: put / get / find / delete for the tenant in context.

    with tenant_scope(context):
        dal.orders.put({"customer_id": "c1", "order_id": uuid1(), "status": "new", ...})
        dal.orders.find(customer_id="c1", limit=20)

The same calls work for every tier; where the rows live comes from the tenant directory: reads from the
record's read_keyspace, each write to every one of its write_keyspaces (functions/contracts/migration.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from cassandra.query import BoundStatement

from functions.contracts.tables import TableSchema
from functions.dal.context import TenantContext, current_tenant
from functions.dal.errors import DalError
from functions.dal.rows import check_limit
from functions.dal.sessions import TenantConnection
from functions.dal.statements import PreparedTable, client_timestamp

T = TypeVar("T")


class TenantRouter(Protocol):
    """What a table needs of the DAL (TenantDataAccess): the tenant's connection, the retry, refusals told."""

    def connection_for(self, context: TenantContext) -> TenantConnection: ...

    def run(self, call: Callable[[], T], idempotent: bool, tenant_id: str) -> T: ...

    def refused(self, error: DalError) -> None: ...


class TenantTable:
    def __init__(self, access: TenantRouter, schema: TableSchema):
        self._access = access
        self.schema = schema

    def _connection(self) -> tuple[str, TenantConnection]:
        context = current_tenant()  # NoTenantContextError outside a tenant_scope
        return context.tenant_id, self._access.connection_for(context)

    def _read(self) -> tuple[str, PreparedTable, Callable[[Any], Any]]:
        tenant_id, connection = self._connection()
        storage = connection.reads
        return tenant_id, storage.table(self.schema), storage.session.execute

    def _write(self, bind: Callable[[str, PreparedTable, int], BoundStatement]) -> None:
        """One write to every storage of the tenant (both while it migrates), all with ONE client timestamp, so
        both copies order the same against every other write; retried as a whole (the timestamp makes it idempotent)."""
        try:
            tenant_id, connection = self._connection()
            timestamp = client_timestamp()
            writes = [
                (storage.session, bind(tenant_id, storage.table(self.schema), timestamp))
                for storage in connection.storages
            ]
        except DalError as error:
            self._access.refused(error)
            raise

        def run() -> None:
            for future in [session.execute_async(bound) for session, bound in writes]:
                future.result()

        self._access.run(run, all(bound.is_idempotent for _, bound in writes), tenant_id)

    def put(self, row: Mapping[str, Any]) -> None:
        """Upsert one row; columns the row leaves out keep their stored values."""
        self._write(lambda tenant_id, table, ts: table.insert.bind([*table.shape.insert_values(tenant_id, row), ts]))

    def get(self, **key: Any) -> dict[str, Any] | None:
        """The row with this full primary key, or None."""
        try:
            tenant_id, table, execute = self._read()
            bound = table.get.bind(table.shape.key_values(tenant_id, key, table.shape.primary_key))
        except DalError as error:
            self._access.refused(error)
            raise
        return self._access.run(lambda: execute(bound).one(), bound.is_idempotent, tenant_id)  # type: ignore[no-any-return]

    def find(self, limit: int = 100, **partition: Any) -> list[dict[str, Any]]:
        """Up to `limit` rows of one partition, in clustering order."""
        try:
            tenant_id, table, execute = self._read()
            values = table.shape.key_values(tenant_id, partition, table.shape.partition_key)
            bound = table.find.bind([*values, check_limit(limit)])
        except DalError as error:
            self._access.refused(error)
            raise
        return self._access.run(lambda: list(execute(bound)), bound.is_idempotent, tenant_id)

    def delete(self, **key: Any) -> None:
        """Delete the row with this full primary key (a tombstone at the write's timestamp)."""
        self._write(
            lambda tenant_id, table, ts: table.delete.bind(
                [ts, *table.shape.key_values(tenant_id, key, table.shape.primary_key)]
            )
        )
