"""The tenant data access layer: tenant context in, tenant data out, never another tenant's.

Application code uses only what is exported here; see access.py for the flow.
"""

from functions.contracts.directory import TenantRecord
from functions.dal.access import TenantDataAccess
from functions.dal.connection import AmazonKeyspaces, LocalCassandra
from functions.dal.context import TenantContext, current_tenant, tenant_scope
from functions.dal.credentials import RoleAssumer
from functions.dal.directory import TenantDirectory
from functions.dal.errors import (
    CredentialsError,
    CrossTenantAccessError,
    DalError,
    DalUsageError,
    InvalidQueryError,
    InvalidTenantContextError,
    InvalidTenantDirectoryError,
    NoTenantContextError,
    TenantOffboardedError,
    UnknownTenantError,
)
from functions.dal.events import DalMetrics

__all__ = [
    "AmazonKeyspaces",
    "CredentialsError",
    "CrossTenantAccessError",
    "DalError",
    "DalMetrics",
    "DalUsageError",
    "InvalidQueryError",
    "InvalidTenantContextError",
    "InvalidTenantDirectoryError",
    "LocalCassandra",
    "NoTenantContextError",
    "RoleAssumer",
    "TenantContext",
    "TenantDataAccess",
    "TenantDirectory",
    "TenantOffboardedError",
    "TenantRecord",
    "UnknownTenantError",
    "current_tenant",
    "tenant_scope",
]
