"""Storage and access for the pooled tiers' tenants: the shared keyspace, its tables, the pooled roles.

No resource here belongs to one tenant or one tier: a pooled tenant costs nothing in this component but its id
in one pooled role's trust policy, so thousands of them cost a role per shard (tiers/pooled_roles.py).
Shard 0 keeps the single pooled role's logical and physical names, so a stack from before sharding
updates that role in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.storage.keyspace_tables import KeyspaceTables, declare_tables
from components.storage.pooled_roles import PooledRolesArgs, declare_pooled_roles
from components.tags import storage_tags
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_TABLES
from tiers.capacity import table_capacity
from tiers.naming import Namer, logical
from tiers.policy import KeyspaceSettings


@dataclass
class PooledStorageArgs:
    namer: Namer
    ingest_bucket_arn: pulumi.Input[str]
    settings: KeyspaceSettings  # the pool's (tiers/pool.py): sizes and protects the pooled tables
    region: str
    account_id: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    # shard -> the served pooled tenants its role trusts, and its role's name (tiers.plan); none in the platform of
    # an environment with cells (each cell declares its own pooled roles)
    shards: Mapping[int, Sequence[str]]
    role_names: Mapping[int, str]
    tiers: Mapping[int, Sequence[str]]  # shard -> its tenants' tiers (their analytics workgroups)
    tags: Mapping[str, str]


class PooledStorage(pulumi.ComponentResource):
    role_arns: dict[int, pulumi.Output[str]]  # by shard
    keyspace_name: pulumi.Output[str]

    def __init__(self, name: str, args: PooledStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:PooledStorage", name, None, opts)
        namer = args.namer
        tags = storage_tags(args.tags, "pooled")
        # Shared by every pooled tenant: never deleted by a tenant's offboarding strategy.
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
                capacity=table_capacity(args.settings),
                tags=tags,
                protect=True,
            ),
            parent=self,
        )

        self.role_arns = declare_pooled_roles(
            name,
            PooledRolesArgs(
                namer=namer,
                members=args.shards,
                role_names=args.role_names,
                tiers=args.tiers,
                region=args.region,
                account_id=args.account_id,
                ingest_bucket_arn=args.ingest_bucket_arn,
                application_role_arn=args.application_role_arn,
                tags=tags,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.keyspace_name = keyspace.name
        self.register_outputs(
            {"roleArns": {str(shard): arn for shard, arn in self.role_arns.items()}, "keyspace": keyspace.name}
        )
