"""The data access API for one tenant table: put / get / find / delete for the tenant in context.

    with tenant_scope(context):
        dal.orders.put({"customer_id": "c1", "order_id": uuid1(), "status": "new", ...})
        dal.orders.find(customer_id="c1", limit=20)

The same calls work for every tier; where the rows live comes from the tenant directory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from functions.contracts.tables import TableSchema
from functions.dal.context import TenantContext, current_tenant
from functions.dal.errors import DalError
from functions.dal.rows import check_limit
from functions.dal.sessions import TenantConnection
from functions.dal.statements import PreparedTable

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

    def _prepared(self) -> tuple[str, PreparedTable, Callable[[Any], Any]]:
        context = current_tenant()  # NoTenantContextError outside a tenant_scope
        connection = self._access.connection_for(context)
        return context.tenant_id, connection.table(self.schema), connection.session.execute

    def put(self, row: Mapping[str, Any]) -> None:
        """Upsert one row; columns the row leaves out keep their stored values."""
        try:
            tenant_id, table, execute = self._prepared()
            bound = table.insert.bind(table.shape.insert_values(tenant_id, row))
        except DalError as error:
            self._access.refused(error)
            raise
        self._access.run(lambda: execute(bound), bound.is_idempotent, tenant_id)

    def get(self, **key: Any) -> dict[str, Any] | None:
        """The row with this full primary key, or None."""
        try:
            tenant_id, table, execute = self._prepared()
            bound = table.get.bind(table.shape.key_values(tenant_id, key, table.shape.primary_key))
        except DalError as error:
            self._access.refused(error)
            raise
        return self._access.run(lambda: execute(bound).one(), bound.is_idempotent, tenant_id)  # type: ignore[no-any-return]

    def find(self, limit: int = 100, **partition: Any) -> list[dict[str, Any]]:
        """Up to `limit` rows of one partition, in clustering order."""
        try:
            tenant_id, table, execute = self._prepared()
            values = table.shape.key_values(tenant_id, partition, table.shape.partition_key)
            bound = table.find.bind([*values, check_limit(limit)])
        except DalError as error:
            self._access.refused(error)
            raise
        return self._access.run(lambda: list(execute(bound)), bound.is_idempotent, tenant_id)

    def delete(self, **key: Any) -> None:
        """Delete the row with this full primary key."""
        try:
            tenant_id, table, execute = self._prepared()
            bound = table.delete.bind(table.shape.key_values(tenant_id, key, table.shape.primary_key))
        except DalError as error:
            self._access.refused(error)
            raise
        self._access.run(lambda: execute(bound), bound.is_idempotent, tenant_id)
