"""What the DAL refuses, and why. Every refusal names the problem; none is a bare driver error."""

from __future__ import annotations

from typing import ClassVar


class DalError(Exception):
    """Base of every error the tenant data access layer raises on purpose."""

    reason: ClassVar[str] = "dal-error"  # a fixed name for logs and counters (functions/dal/events.py)


class NoTenantContextError(DalError):
    reason = "no-tenant-context"

    def __init__(self, detail: str = "") -> None:
        message = "no tenant context: tenant data is reached only inside `with tenant_scope(TenantContext...)`"
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidTenantContextError(DalError):
    """Claims that do not make a tenant context (missing or malformed tenant id or tier)."""

    reason = "invalid-tenant-context"


class UnknownTenantError(DalError):
    reason = "unknown-tenant"

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"tenant {tenant_id!r} is not in the tenant directory")
        self.tenant_id = tenant_id


class TenantOffboardedError(DalError):
    reason = "tenant-offboarded"

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"tenant {tenant_id!r} is offboarded: its data is no longer served")
        self.tenant_id = tenant_id


class CrossTenantAccessError(DalError):
    reason = "cross-tenant"

    def __init__(self, tenant_id: str, named: object) -> None:
        super().__init__(f"tenant {tenant_id!r} may not name tenant {named!r}: cross-tenant access is refused")
        self.tenant_id = tenant_id
        self.named = named


class InvalidTenantDirectoryError(DalError):
    """The tenant directory does not have the shape of the stack output `tenants`."""

    reason = "invalid-directory"


class InvalidQueryError(DalError, ValueError):
    """A row, key, identifier or filter that does not fit the table (unknown column, missing key column)."""

    reason = "invalid-query"


class CredentialsError(DalError):
    """The tenant's role could not be assumed."""

    reason = "credentials"


class UnreachableError(DalError):
    """No node of Cassandra or Amazon Keyspaces answered at the address given."""

    reason = "unreachable"


class DalUsageError(DalError, ValueError):
    """The DAL was set up or called wrongly (a bad argument, a closed DAL): a programming error."""

    reason = "usage"
