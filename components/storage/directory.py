"""The stack output `tenants`: what the DAL and the demo read about each tenant."""

from __future__ import annotations

from typing import TypedDict

from tiers.plan import TenantPlan


class TenantEntry(TypedDict):
    tier: str
    status: str
    keyspace: str
    s3Prefix: str  # the output's keys are camelCase
    roleArn: str | None


def tenant_entry(plan: TenantPlan, role_arn: str | None) -> TenantEntry:
    """`roleArn` is None for a tenant that is no longer served, whatever role ARN is passed."""
    return TenantEntry(
        tier=plan.tier.name,
        status=plan.status,
        keyspace=plan.keyspace,
        s3Prefix=plan.s3_prefix,
        roleArn=role_arn if plan.served else None,
    )
