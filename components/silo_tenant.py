"""One premium (silo) tenant: its own keyspace and tables, and a role scoped to them and its prefix."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from naming import Namer
from tiers.plan import TenantPlan


@dataclass
class SiloTenantArgs:
    namer: Namer
    plan: TenantPlan
    ingest_bucket_arn: pulumi.Input[str]


class SiloTenant(pulumi.ComponentResource):
    def __init__(self, name: str, args: SiloTenantArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:SiloTenant", name, None, opts)
        self.register_outputs({})
