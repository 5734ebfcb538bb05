"""One premium (silo) tenant: its own keyspace and tables, and a role scoped to them and its prefix.

Offboarded, it keeps no role; its keyspace stays (retain), stays at minimum capacity (scale-down)
or goes (delete). Keyspace and tables are protected unless the strategy is delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.storage.keyspace_tables import KeyspaceTables, declare_tables
from components.storage.policies import silo_tenant_policy, tenant_trust_policy
from components.storage.tenant_role import TenantRoleArgs, declare_tenant_role
from components.tags import tenant_tags
from functions.contracts.tables import TENANT_TABLES
from tiers.capacity import table_capacity
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan


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
        tags = tenant_tags(args.tags, plan)
        if plan.has_own_keyspace:
            protect = plan.data_protected
            keyspace = aws.keyspaces.Keyspace(
                logical(name, "keyspace"),
                name=plan.keyspace,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            declare_tables(
                namer,
                KeyspaceTables(
                    owner=name,
                    keyspace=keyspace,
                    keyspace_name=plan.keyspace,
                    schemas=TENANT_TABLES,
                    capacity=table_capacity(plan.tier, scaled_down=plan.scaled_down),
                    tags=tags,
                    protect=protect,
                ),
                parent=self,
            )
        self.role_arn = self._declare_role(name, args, tags) if plan.served else None
        self.register_outputs({"roleArn": self.role_arn})

    def _declare_role(self, name: str, args: SiloTenantArgs, tags: dict[str, str]) -> pulumi.Output[str]:
        namer, plan = args.namer, args.plan
        if plan.role_name is None:
            raise ComponentInputError(f"tenant {plan.tenant_id}: its plan names no role (it is not served)")
        tables = [schema.name for schema in TENANT_TABLES]
        role = declare_tenant_role(
            namer,
            TenantRoleArgs(
                owner=name,
                role_name=plan.role_name,
                description=f"Tenant {plan.tenant_id}: keyspace {plan.keyspace}, S3 {plan.s3_prefix}",
                trust_policy=tenant_trust_policy,
                data_policy=lambda scope, bucket_arn: silo_tenant_policy(
                    scope,
                    tenant_id=plan.tenant_id,
                    keyspace=plan.keyspace,
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
            parent=self,
        )
        return role.arn
