"""Where tenant rows live in Amazon Keyspaces: the pooled keyspace, or the tenant's own.

A tenant on a silo tier, `acme-corp`, gets keyspace `tenant_acme_corp`; every pooled tier's tenants' rows are in
`tenants_pool`, with tenant_id leading each partition key.
"""

from __future__ import annotations

import re

from functions.contracts.tenant_id import check_tenant_id

POOLED_KEYSPACE = "tenants_pool"
SILO_KEYSPACE_PREFIX = "tenant_"
# CreateKeyspace / CreateTable: keyspace and table names.
KEYSPACE_NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_]{0,47}")


def is_keyspace_name(value: object) -> bool:
    return isinstance(value, str) and KEYSPACE_NAME_PATTERN.fullmatch(value) is not None


def silo_keyspace(tenant_id: str) -> str:
    """A silo tenant's own keyspace. Tenant ids fit (32 characters at most), so no name is ever cut."""
    return SILO_KEYSPACE_PREFIX + check_tenant_id(tenant_id).replace("-", "_")
