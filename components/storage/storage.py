"""Tenant storage and access, the storage area's root component: the application role, the pool (its keyspace, and
its roles: the pooled tenants, sharded), one SiloTenant per silo tenant, and the tenant directory.

Its children were declared at the stack's root before this component existed: each carries an alias to
that old parent, so an existing stack keeps every keyspace and table (protected) instead of replacing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.storage.application_role import ApplicationRole, ApplicationRoleArgs
from components.storage.directory import tenant_entry
from components.storage.pooled_storage import PooledStorage, PooledStorageArgs
from components.storage.silo_tenant import SiloTenant, SiloTenantArgs
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan, pooled_role_members, pooled_role_names, pooled_role_tiers
from tiers.policy import KeyspaceSettings


@dataclass
class TenantStorageArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket_arn: pulumi.Input[str]  # tenant roles read their own prefix of it
    pool: KeyspaceSettings  # the pooled tables' capacity and protection (StackConfig.pool)
    tenants: Sequence[TenantPlan]
    tags: Mapping[str, str]


class TenantStorage(pulumi.ComponentResource):
    application_role_arn: pulumi.Output[str]
    directory: pulumi.Output[dict[str, Any]]  # the stack output `tenants`

    def __init__(self, name: str, args: TenantStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:TenantStorage", name, None, opts)
        namer = args.namer
        # Where these children stood before: at the stack's root, under the same names.
        moved = pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])
        app = ApplicationRole(
            "application-role",
            ApplicationRoleArgs(namer=namer, region=args.region, account_id=args.account_id, tags=args.tags),
            moved,
        )
        pooled = PooledStorage(
            "pooled-storage",
            PooledStorageArgs(
                namer=namer,
                ingest_bucket_arn=args.ingest_bucket_arn,
                settings=args.pool,
                region=args.region,
                account_id=args.account_id,
                application_role_arn=app.arn,
                shards=pooled_role_members(args.tenants),
                role_names=pooled_role_names(args.tenants),
                tiers=pooled_role_tiers(args.tenants),
                tags=args.tags,
            ),
            moved,
        )
        silo_role_arns: dict[str, pulumi.Output[str]] = {}
        for plan in args.tenants:
            if plan.silo_tier is None:  # silo tenants, and migrating tenants' silo side (target or source)
                continue
            silo = SiloTenant(
                logical("tenant", plan.tenant_id),
                SiloTenantArgs(
                    namer=namer,
                    plan=plan,
                    ingest_bucket_arn=args.ingest_bucket_arn,
                    region=args.region,
                    account_id=args.account_id,
                    application_role_arn=app.arn,
                    tags=args.tags,
                ),
                moved,
            )
            if silo.role_arn is not None:
                silo_role_arns[plan.tenant_id] = silo.role_arn
        self.application_role_arn = app.arn
        self.directory = tenant_directory(args.tenants, pooled.role_arns, silo_role_arns)
        self.register_outputs({"applicationRoleArn": app.arn, "tenants": self.directory})


def tenant_directory(
    plans: Sequence[TenantPlan],
    pooled_role_arns: dict[int, pulumi.Output[str]],
    silo_role_arns: dict[str, pulumi.Output[str]],
) -> pulumi.Output[dict[str, Any]]:
    """The `tenants` output as one Output over the distinct role ARNs: a pooled tenant's is its shard's.

    An Output per tenant would be thousands more tasks, each merging its dependencies into the
    map's: work that grows faster than the roster (bench/RESULTS.md).
    """

    def entries(arns: list[str]) -> dict[str, Any]:
        pooled_arns = dict(zip(pooled_role_arns, arns[: len(pooled_role_arns)], strict=True))
        silo_arns = dict(zip(silo_role_arns, arns[len(pooled_role_arns) :], strict=True))

        def role_arn(plan: TenantPlan, siloed: bool) -> str | None:
            if siloed:
                return silo_arns.get(plan.tenant_id)
            return None if plan.pooled_shard is None else pooled_arns[plan.pooled_shard]

        def source_role_arn(plan: TenantPlan) -> str | None:
            return None if plan.migration is None else role_arn(plan, plan.migration.from_tier.siloed)

        return {
            plan.tenant_id: tenant_entry(plan, role_arn(plan, plan.tier.siloed), source_role_arn(plan))
            for plan in plans
        }

    return pulumi.Output.all(*pooled_role_arns.values(), *silo_role_arns.values()).apply(entries)
