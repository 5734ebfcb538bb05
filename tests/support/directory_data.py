"""The tenant directory the DAL tests use: the shape of the stack output `tenants`."""

from __future__ import annotations

from typing import Any

from functions.dal import TenantContext

ACCOUNT = "123456789012"
POOLED_ROLE = f"arn:aws:iam::{ACCOUNT}:role/tenant-pipeline-test-pooled-tenants"


def premium(tenant_id: str, status: str = "active") -> dict[str, Any]:
    return {
        "tier": "premium",
        "status": status,
        "keyspace": "tenant_" + tenant_id.replace("-", "_"),
        "s3Prefix": f"tenant={tenant_id}/",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/tenant-pipeline-test-tenant-{tenant_id}",
    }


def basic(tenant_id: str, status: str = "active") -> dict[str, Any]:
    return {
        "tier": "basic",
        "status": status,
        "keyspace": "tenants_pool",
        "s3Prefix": f"tenant={tenant_id}/",
        "roleArn": POOLED_ROLE,
    }


# The shape of the stack output `tenants`: two premium, two basic, and offboarded ones of each tier.
DIRECTORY: dict[str, dict[str, Any]] = {
    "acme": premium("acme"),
    "acme-corp": premium("acme-corp"),
    "globex": basic("globex"),
    "initech": basic("initech"),
    "umbrella": basic("umbrella", status="offboarded"),
    "hooli": premium("hooli", status="offboarded"),
}

ACME = TenantContext("acme", "premium")
ACME_CORP = TenantContext("acme-corp", "premium")
GLOBEX = TenantContext("globex", "basic")
INITECH = TenantContext("initech", "basic")
