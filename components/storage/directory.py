"""The stack output `tenants`: each tenant's directory record (functions/contracts/directory.py)."""

from __future__ import annotations

from typing import Any

from functions.contracts.directory import TenantRecord
from tiers.plan import TenantPlan


def tenant_record(plan: TenantPlan, role_arn: str | None) -> TenantRecord:
    """`role_arn` is dropped for a tenant that is no longer served, whatever role ARN is passed."""
    return TenantRecord(
        tenant_id=plan.tenant_id,
        tier=plan.tier.name,
        status=plan.status,
        keyspace=plan.keyspace,
        s3_prefix=plan.s3_prefix,
        role_arn=role_arn if plan.served else None,
    )


def tenant_entry(plan: TenantPlan, role_arn: str | None) -> dict[str, Any]:
    """The record in the output's JSON form."""
    return tenant_record(plan, role_arn).to_entry()
