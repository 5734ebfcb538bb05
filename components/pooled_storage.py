"""Storage and access for pooled (basic) tenants: the shared keyspace, its tables, the pooled role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from naming import Namer
from tiers.plan import TenantPlan


@dataclass
class PooledStorageArgs:
    namer: Namer
    tenants: Sequence[TenantPlan]
    ingest_bucket_arn: pulumi.Input[str]


class PooledStorage(pulumi.ComponentResource):
    def __init__(self, name: str, args: PooledStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:PooledStorage", name, None, opts)
        self.register_outputs({})
