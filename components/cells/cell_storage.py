"""A cell's tenant storage: the silo sides it holds (a keyspace, tables and role per tenant) and the pooled roles
of its pooled tenants. The pool itself (keyspace and tables) and the application role are the platform's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.cells.cell_api_keys import AT_ROOT
from components.storage.pooled_roles import PooledRolesArgs, declare_pooled_roles
from components.storage.silo_tenant import SiloTenant, SiloTenantArgs
from components.tags import storage_tags
from tiers.cells import silo_cell
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan, pooled_role_members, pooled_role_names, pooled_role_tiers

# The component the pooled roles' logical names came from in a one-stack environment (components/storage/storage.py).
POOLED_ROLES_OWNER = "pooled-storage"


@dataclass
class CellStorageArgs:
    namer: Namer
    cell: str
    plans: Sequence[TenantPlan]  # the plans of the tenants the cell declares (its own and those moving away)
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket_arn: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: Mapping[str, str]


class CellStorage(pulumi.ComponentResource):
    def __init__(self, name: str, args: CellStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:cells:CellStorage", name, None, opts)
        silo = [plan for plan in args.plans if plan.silo_tier is not None and silo_cell(plan) == args.cell]
        for plan in silo:
            SiloTenant(
                logical("tenant", plan.tenant_id),
                SiloTenantArgs(
                    namer=args.namer,
                    plan=plan,
                    ingest_bucket_arn=args.ingest_bucket_arn,
                    region=args.region,
                    account_id=args.account_id,
                    application_role_arn=args.application_role_arn,
                    tags=args.tags,
                ),
                pulumi.ResourceOptions(parent=self, aliases=[AT_ROOT]),
            )
        pooled = [plan for plan in args.plans if plan.pooled_cell == args.cell]
        if any(plan.pooled_shard is not None for plan in pooled):
            PooledRoles(
                logical(name, "pooled-roles"),
                PooledRolesArgs(
                    namer=args.namer,
                    members=pooled_role_members(pooled),
                    role_names=pooled_role_names(pooled),
                    tiers=pooled_role_tiers(pooled),
                    region=args.region,
                    account_id=args.account_id,
                    ingest_bucket_arn=args.ingest_bucket_arn,
                    application_role_arn=args.application_role_arn,
                    tags=storage_tags(args.tags, "pooled"),
                ),
                pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {"siloTenants": [plan.tenant_id for plan in silo], "pooledTenants": [p.tenant_id for p in pooled]}
        )


class PooledRoles(pulumi.ComponentResource):
    """The pooled roles of a cell's pooled tenants, under the logical names a one-stack environment gave them, so
    its roles, moved here when it is adopted, are found (AT_ROOT)."""

    def __init__(self, name: str, args: PooledRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:cells:PooledRoles", name, None, opts)
        arns = declare_pooled_roles(POOLED_ROLES_OWNER, args, pulumi.ResourceOptions(parent=self, aliases=[AT_ROOT]))
        self.register_outputs({"roleArns": {str(shard): arn for shard, arn in arns.items()}})
