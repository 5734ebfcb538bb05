"""A cell's tenants' API keys, each on its tier's usage plan (declared by the platform, read from its outputs)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.ingestion.tenant_api_keys import TenantKeyArgs, declare_tenant_key
from tiers.naming import Namer
from tiers.plan import TenantPlan

# A resource a one-stack environment held, moved into its cell by `pulumi state move`, arrives at the cell stack's
# root (its parent stayed in the platform) under the logical name it had: declared under that name with this
# alias, the engine finds it there, so adopting an environment replaces nothing (docs/design.md "Cells").
AT_ROOT = pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)
# The component the keys' logical names came from in a one-stack environment (components/ingestion/pipeline.py).
KEYS_OWNER = "ingestion-api-keys"


@dataclass
class CellApiKeysArgs:
    namer: Namer
    tenants: Sequence[TenantPlan]  # the served tenants whose cell this is
    usage_plan_ids: pulumi.Output[Mapping[str, str]]  # tier -> its usage plan (the platform's `usagePlanIds`)
    secret: pulumi.Output[str]  # the authorizer's API key secret (the platform's `apiKeySecret`)
    tags: Mapping[str, str]


class CellApiKeys(pulumi.ComponentResource):
    def __init__(self, name: str, args: CellApiKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:cells:CellApiKeys", name, None, opts)
        keys = pulumi.ResourceOptions(parent=self, aliases=[AT_ROOT])
        for plan in args.tenants:
            declare_tenant_key(
                TenantKeyArgs(
                    owner=KEYS_OWNER,
                    namer=args.namer,
                    plan=plan,
                    usage_plan_id=args.usage_plan_ids.apply(functools.partial(_plan_of, plan.tier.name)),
                    secret=args.secret,
                    tags=args.tags,
                ),
                keys,
            )
        self.register_outputs({"tenants": [plan.tenant_id for plan in args.tenants]})


def _plan_of(tier: str, usage_plan_ids: Mapping[str, str]) -> str:
    return usage_plan_ids[tier]
