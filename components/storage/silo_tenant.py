"""One tenant's silo side: its own keyspace and tables, and a role scoped to them and its prefix.

A silo tier's tenant's, or a migrating tenant's silo side (the target of a pooled -> silo move, the source of
silo -> pooled). Offboarded, it keeps no role; its keyspace stays (retain), stays at minimum capacity
(scale-down) or goes (delete). Keyspace and tables are protected, and retained should the stack ever
delete them, as TenantPlan.data_protected says (a migration's released source is not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.storage.analytics_policy import analytics_policy
from components.storage.keyspace_tables import KeyspaceTables, declare_tables
from components.storage.policies import silo_tenant_policy, tenant_trust_policy
from components.storage.tenant_role import TenantRoleArgs, declare_tenant_role
from components.tags import tenant_tags
from functions.contracts.tables import TENANT_TABLES
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan, keyspace_of


@dataclass
class SiloTenantArgs:
    namer: Namer
    plan: TenantPlan
    ingest_bucket_arn: pulumi.Input[str]
    region: str
    account_id: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: Mapping[str, str]


class SiloTenant(pulumi.ComponentResource):
    role_arn: pulumi.Output[str] | None  # None once the tenant is no longer served

    def __init__(self, name: str, args: SiloTenantArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:SiloTenant", name, None, opts)
        namer, plan = args.namer, args.plan
        tier, capacity = plan.silo_tier, plan.silo_capacity
        if tier is None or capacity is None:
            raise ComponentInputError(f"tenant {plan.tenant_id}: its plan has no silo side")
        keyspace_name = keyspace_of(plan.tenant_id, tier)
        tags = tenant_tags(args.tags, plan)
        if plan.has_own_keyspace:
            protect = plan.data_protected
            keyspace = aws.keyspaces.Keyspace(
                logical(name, "keyspace"),
                name=keyspace_name,
                tags=tags,
                # Retained too: a protected keyspace removed from state (`pulumi state delete`, a stack
                # destroyed with protection lifted) stays in AWS with the tenant's data.
                opts=pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect),
            )
            declare_tables(
                namer,
                KeyspaceTables(
                    owner=name,
                    keyspace=keyspace,
                    keyspace_name=keyspace_name,
                    schemas=TENANT_TABLES,
                    capacity=capacity,
                    tags=tags,
                    protect=protect,
                ),
                parent=self,
            )
        self.role_arn = self._declare_role(name, args, keyspace_name, tags) if plan.served else None
        self.register_outputs({"roleArn": self.role_arn})

    def _declare_role(self, name: str, args: SiloTenantArgs, keyspace: str, tags: dict[str, str]) -> pulumi.Output[str]:
        namer, plan = args.namer, args.plan
        if plan.silo_role_name is None:
            raise ComponentInputError(f"tenant {plan.tenant_id}: its plan names no role (it is not served)")
        tables = [schema.name for schema in TENANT_TABLES]
        role = declare_tenant_role(
            namer,
            TenantRoleArgs(
                owner=name,
                role_name=plan.silo_role_name,
                description=f"Tenant {plan.tenant_id}: keyspace {keyspace}, S3 {plan.s3_prefix}",
                trust_policy=tenant_trust_policy,
                analytics_policy=analytics_policy(namer, plan.tenant_id, [plan.tier.name]),
                data_policy=lambda scope, bucket_arn: silo_tenant_policy(
                    scope,
                    tenant_id=plan.tenant_id,
                    keyspace=keyspace,
                    tables=tables,
                    bucket_arn=bucket_arn,
                    s3_prefix=plan.s3_prefix,
                ),
                region=args.region,
                account_id=args.account_id,
                ingest_bucket_arn=args.ingest_bucket_arn,
                application_role_arn=args.application_role_arn,
                tags=tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        return role.arn
