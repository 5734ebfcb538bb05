"""The pooled roles of one group of pooled tenants: a role per shard, each trusting only its shard's tenants.

Declared by PooledStorage for an environment without cells, and by each cell (PooledRoles) for the pooled
tenants it holds: tiers/pooled_roles.py shards them, the plans name each shard's role (tiers/plan.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.storage.analytics_policy import analytics_policy
from components.storage.policies import pooled_tenant_policy, pooled_trust_policy
from components.storage.tenant_role import TenantRoleArgs, declare_tenant_role
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_TABLES
from tiers.naming import Namer


@dataclass(frozen=True)
class PooledRolesArgs:
    namer: Namer
    members: Mapping[int, Sequence[str]]  # shard -> the served pooled tenants its role trusts (tiers.plan)
    role_names: Mapping[int, str]  # shard -> its role's name (tiers.plan.pooled_role_names)
    tiers: Mapping[int, Sequence[str]]  # shard -> its tenants' tiers, whose workgroups its sessions may query in
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket_arn: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: Mapping[str, str]


def declare_pooled_roles(
    owner: str, spec: PooledRolesArgs, opts: pulumi.ResourceOptions
) -> dict[int, pulumi.Output[str]]:
    """Each shard's role, `<owner>-role` for shard 0 (the single pooled role's name) and `<owner>-role-<k>`; their
    ARNs by shard."""
    table_names = [schema.pooled().name for schema in TENANT_TABLES]
    arns: dict[int, pulumi.Output[str]] = {}
    for shard, tenant_ids in sorted(spec.members.items()):
        role = declare_tenant_role(
            spec.namer,
            TenantRoleArgs(
                owner=owner,
                role="role" if shard == 0 else f"role-{shard}",
                role_name=spec.role_names[shard],
                description="Pooled tenants: the pooled tables; S3 under tenant=<session tag TenantId>/",
                trust_policy=functools.partial(pooled_trust_policy, tenant_ids=tuple(tenant_ids)),
                analytics_policy=analytics_policy(spec.namer, None, spec.tiers[shard]),
                data_policy=lambda scope, bucket_arn: pooled_tenant_policy(
                    scope, POOLED_KEYSPACE, table_names, bucket_arn
                ),
                region=spec.region,
                account_id=spec.account_id,
                ingest_bucket_arn=spec.ingest_bucket_arn,
                application_role_arn=spec.application_role_arn,
                tags=dict(spec.tags),
            ),
            opts,
        )
        arns[shard] = role.arn
    return arns
