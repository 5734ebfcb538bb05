"""A tenant cell: one stack's share of an environment's tenants (tiers/cells.py says which).

It declares its tenants' API keys (on the platform's usage plans), the silo sides and pooled roles it holds, and
its directory slice, `tenants/<cell>.json` in the platform's directory bucket: its tenants' records, published
once their keys and roles exist. Everything shared (the pipeline, the pool, the usage plans, the application
role, the directory bucket) is the platform stack's; a cell reads what it needs from the platform's outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.cells.cell_api_keys import CellApiKeys, CellApiKeysArgs
from components.cells.cell_storage import CellStorage, CellStorageArgs
from components.storage.directory import document_text, tenant_entry
from components.storage.directory_document import CONTENT_TYPE
from functions.contracts.cells import slice_key
from tiers.naming import Namer, iam_role_arn, logical, s3_bucket_arn
from tiers.plan import TenantPlan
from tiers.stack_config import StackConfig


@dataclass(frozen=True)
class PlatformOutputs:
    """What a cell reads from its platform stack (pulumi.StackReference, in __main__.py)."""

    usage_plan_ids: pulumi.Output[Mapping[str, str]]  # `usagePlanIds`: tier -> usage plan id
    api_key_secret: pulumi.Output[str]  # `apiKeySecret` (a secret output)
    application_role_arn: pulumi.Output[str]  # `applicationRoleArn`


@dataclass
class TenantCellArgs:
    config: StackConfig
    cell: str
    platform: PlatformOutputs
    tags: Mapping[str, str]


class TenantCell(pulumi.ComponentResource):
    directory: pulumi.Output[dict[str, Any]]  # the stack output `tenants`: the records of the cell's tenants

    def __init__(self, name: str, args: TenantCellArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:cells:TenantCell", name, None, opts)
        config, cell = args.config, args.cell
        namer, region = config.namer, config.region
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        declared = [plan for plan in config.plans if cell in (plan.cell, plan.from_cell)]
        own = [plan for plan in declared if plan.cell == cell]
        keys = CellApiKeys(
            logical(name, "api-keys"),
            CellApiKeysArgs(
                namer=namer,
                tenants=[plan for plan in own if plan.served],
                usage_plan_ids=args.platform.usage_plan_ids,
                secret=args.platform.api_key_secret,
                tags=args.tags,
            ),
            child,
        )
        storage = CellStorage(
            logical(name, "storage"),
            CellStorageArgs(
                namer=namer,
                cell=cell,
                plans=declared,
                region=region,
                account_id=account_id,
                ingest_bucket_arn=account_id.apply(lambda account: s3_bucket_arn(namer.ingest_bucket(account, region))),
                application_role_arn=args.platform.application_role_arn,
                tags=args.tags,
            ),
            child,
        )
        self.directory = account_id.apply(lambda account: cell_entries(own, namer, account))
        self.slice = aws.s3.BucketObjectv2(
            logical(name, "directory"),
            bucket=account_id.apply(lambda account: namer.directory_bucket(account, region)),
            key=slice_key(cell),
            content=self.directory.apply(document_text),
            content_type=CONTENT_TYPE,
            tags=dict(args.tags),
            # Its records name keys and roles: published once they exist, so no reader meets a role not yet made.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[keys, storage]),
        )
        self.register_outputs({"tenants": self.directory, "directorySlice": self.slice.key})


def cell_entries(plans: list[TenantPlan], namer: Namer, account_id: str) -> dict[str, Any]:
    """The records of the tenants whose cell this is. Their roles' ARNs follow from their names: a migration's
    source role is another cell's, which this stack can name but not reference."""
    path = namer.tenant_role_path()

    def arn(name: str | None) -> str | None:
        return None if name is None else iam_role_arn(account_id, path, name)

    return {
        plan.tenant_id: tenant_entry(
            plan,
            arn(plan.role_name),
            None if plan.migration is None else arn(plan.migration.source_role_name),
        )
        for plan in plans
    }
