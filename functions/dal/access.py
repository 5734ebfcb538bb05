"""TenantDataAccess: the one way application code reaches tenant data.

    dal = TenantDataAccess.keyspaces(TenantDirectory.from_env(), region="us-east-1")
    with tenant_scope(TenantContext.from_claims(authorizer_context)):
        dal.customers.put({"customer_id": "c1", "name": "Ada"})

For each operation: the tenant comes from the context, the directory resolves it (unknown,
offboarded tenants are refused; the directory, not the context, says the tier), its credential scope's session runs the
table's prepared statement with the tenant bound in (pooled) or in its own keyspace (silo).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from functions.contracts.directory import TenantRecord
from functions.contracts.tables import CUSTOMERS, ORDERS, TENANT_TABLES
from functions.dal.connection import REQUEST_TIMEOUT, AmazonKeyspaces, Endpoint, LocalCassandra, connect
from functions.dal.context import TenantContext, current_tenant
from functions.dal.credentials import RoleAssumer
from functions.dal.directory import TenantDirectory
from functions.dal.errors import DalError, DalUsageError, InvalidQueryError, NoTenantContextError
from functions.dal.events import DalEvents, DalMetrics
from functions.dal.retry import OutageRetry
from functions.dal.sessions import ConnectionPool, Storage, TenantConnection
from functions.dal.tables import TenantTable

T = TypeVar("T")


class TenantDataAccess:
    def __init__(
        self,
        directory: TenantDirectory,
        endpoint: Endpoint,
        roles: RoleAssumer | None,
        *,
        max_sessions: int = 64,
        outage_deadline: float = 30.0,
        request_timeout: float = REQUEST_TIMEOUT,
    ):
        if isinstance(endpoint, AmazonKeyspaces) and roles is None:
            raise DalUsageError("Amazon Keyspaces needs a RoleAssumer: each tenant connects with its own role")
        self.directory = directory
        self.endpoint = endpoint
        self.roles = roles
        self.request_timeout = request_timeout
        self.events = DalEvents()
        self.retry = OutageRetry(deadline=outage_deadline, events=self.events)
        self._pool = ConnectionPool(self._open, max_sessions=max_sessions, events=self.events)
        self._tables = {schema.name: TenantTable(self, schema) for schema in TENANT_TABLES}
        self.customers = self._tables[CUSTOMERS.name]
        self.orders = self._tables[ORDERS.name]

    @staticmethod
    def keyspaces(
        directory: TenantDirectory, region: str, ca_file: str | None = None, **options: Any
    ) -> TenantDataAccess:
        """Amazon Keyspaces in `region`: TLS on 9142, SigV4 with each tenant's assumed role."""
        return TenantDataAccess(directory, AmazonKeyspaces(region, ca_file), RoleAssumer(region), **options)

    @staticmethod
    def local(
        directory: TenantDirectory, port: int, roles: RoleAssumer | None = None, **options: Any
    ) -> TenantDataAccess:
        """A local Cassandra on 127.0.0.1:`port`, plain; with `roles`, tenant roles are still assumed."""
        return TenantDataAccess(directory, LocalCassandra(port), roles, **options)

    # ------------------------------------------------------------------------------------- resolution
    def table(self, name: str) -> TenantTable:
        try:
            return self._tables[name]
        except KeyError:
            raise InvalidQueryError(f"no tenant table {name!r}; tables: {sorted(self._tables)}") from None

    def connection_for(self, context: TenantContext) -> TenantConnection:
        """The tenant's connection (opened on first use) after the directory has allowed the context."""
        return self._pool.get(self.directory.resolve(context))

    def open_tenants(self) -> list[str]:
        """Tenants with an open session in this process."""
        return self._pool.open_tenants()

    def _open(self, record: TenantRecord) -> TenantConnection:
        """A session per keyspace the tenant's writes go to, each with the role that reaches it."""
        storages: list[Storage] = []
        try:
            for keyspace in record.write_keyspaces:
                role_arn = record.role_for(keyspace)
                assert role_arn is not None  # the directory refuses a served storage without its role
                aws_session = self.roles.session_for(record.tenant_id, role_arn) if self.roles else None
                cluster, session = connect(self.endpoint, aws_session, self.request_timeout)
                storages.append(Storage(keyspace, aws_session, cluster, session))
        except BaseException:
            for storage in storages:
                storage.close()
            raise
        return TenantConnection(record=record, storages=tuple(storages))

    def run(self, call: Callable[[], T], idempotent: bool, tenant_id: str) -> T:
        """Run one statement; through an outage only if it is idempotent (every DAL statement is)."""
        return self.retry.run(call, idempotent, tenant_id)

    def refused(self, error: DalError) -> None:
        """Log and count a call the DAL refused: its reason and tenant (the context's, if there is one)."""
        tenant_id = getattr(error, "tenant_id", None)
        if tenant_id is None:
            with contextlib.suppress(NoTenantContextError):
                tenant_id = current_tenant().tenant_id
        self.events.refused(tenant_id, error.reason)

    def metrics(self) -> DalMetrics:
        """Counts since this DAL was created: sessions, retries, evictions and refusals by reason."""
        return self.events.snapshot(sessions_open=len(self._pool.open_tenants()))

    # -------------------------------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> TenantDataAccess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
