"""One premium (silo) tenant: its own keyspace and tables, and a role scoped to them and its prefix.

Offboarded, it keeps no role; its keyspace stays (retain), stays at minimum capacity (scale-down)
or goes (delete). Keyspace and tables are protected unless the strategy is delete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.keyspace_tables import KeyspaceTables, declare_tables
from naming import Namer
from policies.tenant_access import AccountScope, silo_tenant_policy, tenant_trust_policy
from schemas.tables import TENANT_TABLES
from tags import tenant_tags
from tenancy.capacity import table_capacity
from tenancy.offboarding import data_protected, scaled_down
from tiers.plan import TenantPlan


@dataclass
class SiloTenantArgs:
    namer: Namer
    plan: TenantPlan
    ingest_bucket_arn: pulumi.Input[str]
    region: str
    account_id: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]


class SiloTenant(pulumi.ComponentResource):
    role_arn: pulumi.Output[str] | None  # None once the tenant is no longer served

    def __init__(self, name: str, args: SiloTenantArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:SiloTenant", name, None, opts)
        namer, plan = args.namer, args.plan
        tags = tenant_tags(plan, namer.environment)
        if plan.has_own_keyspace:
            protect = data_protected(plan.tier)
            keyspace = aws.keyspaces.Keyspace(
                namer.logical(name, "keyspace"),
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
                    capacity=table_capacity(plan.tier, scaled_down=scaled_down(plan)),
                    tags=tags,
                    protect=protect,
                ),
                parent=self,
            )
        self.role_arn = self._declare_role(name, args, tags) if plan.served else None
        self.register_outputs({"roleArn": self.role_arn})

    def _declare_role(self, name: str, args: SiloTenantArgs, tags: dict[str, str]) -> pulumi.Output[str]:
        namer, plan = args.namer, args.plan
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            namer.logical(name, "role"),
            name=plan.role_name,
            path=namer.tenant_role_path(),
            assume_role_policy=pulumi.Output.from_input(args.application_role_arn).apply(
                lambda arn: json.dumps(tenant_trust_policy(arn))
            ),
            description=f"Tenant {plan.tenant_id}: keyspace {plan.keyspace}, S3 {plan.s3_prefix}",
            tags=tags,
            opts=child,
        )
        tables = [schema.name for schema in TENANT_TABLES]
        aws.iam.RolePolicy(
            namer.logical(name, "role-policy"),
            role=role.id,
            name=namer.physical("iam-policy", "tenant-data"),
            policy=pulumi.Output.all(args.account_id, args.ingest_bucket_arn).apply(
                lambda values: json.dumps(
                    silo_tenant_policy(
                        AccountScope(args.region, values[0]),
                        tenant_id=plan.tenant_id,
                        keyspace=plan.keyspace,
                        tables=tables,
                        bucket_arn=values[1],
                        s3_prefix=plan.s3_prefix,
                    )
                )
            ),
            opts=child,
        )
        return role.arn
