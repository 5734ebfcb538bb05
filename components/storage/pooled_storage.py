"""Storage and access for pooled (basic) tenants: the shared keyspace, its tables, the pooled role.

No resource here belongs to one tenant: a basic tenant costs nothing in this component, so
thousands of them cost no more registrations than one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.storage.keyspace_tables import KeyspaceTables, declare_tables
from components.storage.policies import pooled_tenant_policy, pooled_trust_policy
from components.storage.tenant_role import TenantRoleArgs, declare_tenant_role
from components.tags import tier_tags
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_TABLES
from tiers.capacity import table_capacity
from tiers.naming import Namer, logical
from tiers.policy import TierPolicy


@dataclass
class PooledStorageArgs:
    namer: Namer
    ingest_bucket_arn: pulumi.Input[str]
    tier: TierPolicy  # tiers.capacity.pooled_tier: sizes the pooled tables
    region: str
    account_id: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: Mapping[str, str]


class PooledStorage(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    keyspace_name: pulumi.Output[str]

    def __init__(self, name: str, args: PooledStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:PooledStorage", name, None, opts)
        namer = args.namer
        tags = tier_tags(args.tags, args.tier.name)
        # Shared by every basic tenant: never deleted by a tenant's offboarding strategy.
        stateful = pulumi.ResourceOptions(parent=self, protect=True)
        keyspace = aws.keyspaces.Keyspace(logical(name, "keyspace"), name=POOLED_KEYSPACE, tags=tags, opts=stateful)
        pooled_tables = [schema.pooled() for schema in TENANT_TABLES]
        declare_tables(
            namer,
            KeyspaceTables(
                owner=name,
                keyspace=keyspace,
                keyspace_name=POOLED_KEYSPACE,
                schemas=pooled_tables,
                capacity=table_capacity(args.tier),
                tags=tags,
                protect=True,
            ),
            parent=self,
        )

        table_names = [schema.name for schema in pooled_tables]
        role = declare_tenant_role(
            namer,
            TenantRoleArgs(
                owner=name,
                role_name=namer.pooled_tenant_role(),
                description="Pooled tenants: the pooled tables; S3 under tenant=<session tag TenantId>/",
                trust_policy=pooled_trust_policy,
                data_policy=lambda scope, bucket_arn: pooled_tenant_policy(
                    scope, POOLED_KEYSPACE, table_names, bucket_arn
                ),
                region=args.region,
                account_id=args.account_id,
                ingest_bucket_arn=args.ingest_bucket_arn,
                application_role_arn=args.application_role_arn,
                tags=tags,
            ),
            parent=self,
        )
        self.role_arn = role.arn
        self.keyspace_name = keyspace.name
        self.register_outputs({"roleArn": role.arn, "keyspace": keyspace.name})
