"""The shared (pooled) ingestion pipeline: identity, API, stream, Flink, Firehose, ingest bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from naming import Namer
from stackconfig.model import StackConfig
from tiers.plan import TenantPlan


@dataclass
class IngestionPipelineArgs:
    config: StackConfig
    namer: Namer
    tenants: Sequence[TenantPlan]
    bucket_name: pulumi.Input[str]  # naming.Namer.ingest_bucket


class IngestionPipeline(pulumi.ComponentResource):
    def __init__(self, name: str, args: IngestionPipelineArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:IngestionPipeline", name, None, opts)
        self.register_outputs({})
