"""The stack output `tenants`: each tenant's directory record (functions/contracts/directory.py), and the
directory document published from it for running code (components/storage/directory_document.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from functions.contracts.directory import TenantRecord, directory_document
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
        cell=plan.cell,
        key_cell=plan.key_cell,
    )


def tenant_entry(plan: TenantPlan, role_arn: str | None, source_role_arn: str | None = None) -> dict[str, Any]:
    """The record in the output's JSON form."""
    return tenant_record(plan, role_arn, source_role_arn).to_entry()


def document_text(entries: Mapping[str, Any]) -> str:
    """The published directory of the `tenants` output's entries: `{"version": 1, "tenants": {...}}`.

    Each entry is read back through the contract's own reader first, so the program can never publish a
    document that the authorizer and the DAL would refuse. Keys sorted, no spaces: the same roster gives the
    same bytes (and ETag), so a `pulumi up` that changes no tenant writes no new object version.
    """
    records = [TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in entries.items()]
    return json.dumps(directory_document(records), sort_keys=True, separators=(",", ":"))
