"""The operations component, wired to what the platform declared (components/platform.py calls this)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.analytics.analytics import TenantAnalytics
from components.ingestion.pipeline import IngestionPipeline
from components.operations.operations import PlatformOperations, PlatformOperationsArgs
from components.storage.storage import TenantStorage
from tiers.stack_config import StackConfig


def declare_operations(
    config: StackConfig,
    *,
    pipeline: IngestionPipeline,
    storage: TenantStorage,
    analytics: TenantAnalytics,
    account_id: pulumi.Input[str],
    tags: Mapping[str, str],
) -> PlatformOperations:
    return PlatformOperations(
        "operations",
        PlatformOperationsArgs(
            namer=config.namer,
            region=config.region,
            account_id=account_id,
            settings=config.alarms,
            stream_name=pipeline.stream.stream.name,
            application_name=pipeline.processor.application.name,
            events_delivery_streams=[stream.name for stream in pipeline.delivery.event_streams],
            rejects_delivery_stream=pipeline.delivery.rejects.name,
            authorizer_function=pipeline.authorizer.function.name,
            authorizer_log_group=pipeline.authorizer.log_group.name,
            api_name=pipeline.api.rest_api.name,
            api_stage=pipeline.api.stage.stage_name,
            api_access_log_group=pipeline.api.access_logs.name,
            pooled_keyspace=storage.pooled.keyspace_name,
            pooled_tables=storage.pooled.table_names,
            ingest_bucket=pipeline.bucket.bucket.bucket,
            catalog_database=analytics.database.name,
            tags=tags,
        ),
    )
