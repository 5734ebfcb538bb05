"""The stack output `tenants`: each tenant's directory record (functions/contracts/directory.py)."""

from __future__ import annotations

from typing import Any

from functions.contracts.directory import TenantRecord
from functions.contracts.migration import MigrationRecord
from tiers.plan import TenantPlan


def tenant_record(plan: TenantPlan, role_arn: str | None, source_role_arn: str | None = None) -> TenantRecord:
    """`role_arn` is dropped for a tenant that is no longer served, whatever role ARN is passed;
    `source_role_arn` (the role of a migration's source) once the migration is done: nothing uses the source."""
    migration = plan.migration
    return TenantRecord(
        tenant_id=plan.tenant_id,
        tier=plan.tier.name,
        status=plan.status,
        keyspace=plan.keyspace,
        s3_prefix=plan.s3_prefix,
        role_arn=role_arn if plan.served else None,
        migration=None
        if migration is None
        else MigrationRecord(
            from_tier=migration.from_tier.name,
            state=migration.state,
            keyspace=migration.source_keyspace,
            role_arn=None if migration.source_released else source_role_arn,
            verified=migration.verified,
        ),
    )


def tenant_entry(plan: TenantPlan, role_arn: str | None, source_role_arn: str | None = None) -> dict[str, Any]:
    """The record in the output's JSON form."""
    return tenant_record(plan, role_arn, source_role_arn).to_entry()
