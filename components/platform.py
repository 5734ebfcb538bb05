"""The platform of one stack: the shared ingestion pipeline, tenant storage, and what the stack exports."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.ingestion.pipeline import IngestionPipeline, IngestionPipelineArgs
from components.storage.storage import TenantStorage, TenantStorageArgs
from components.tags import platform_tags
from functions.contracts.keyspaces import POOLED_KEYSPACE
from tiers.naming import s3_bucket_arn
from tiers.stack_config import StackConfig


def declare_platform(config: StackConfig) -> dict[str, pulumi.Input[Any]]:
    """Declare every resource of the stack; return the stack outputs by name."""
    namer = config.namer
    tags = platform_tags(config.environment)
    # The bucket's name is derived, not generated, so tenant policies can name it before it exists.
    account_id = aws.get_caller_identity_output().account_id
    bucket_name = account_id.apply(lambda account: namer.ingest_bucket(account, config.region))

    pipeline = IngestionPipeline(
        "ingestion",
        IngestionPipelineArgs(config=config, namer=namer, tenants=config.plans, bucket_name=bucket_name, tags=tags),
    )
    storage = TenantStorage(
        "tenant-storage",
        TenantStorageArgs(
            namer=namer,
            region=config.region,
            account_id=account_id,
            ingest_bucket_arn=bucket_name.apply(s3_bucket_arn),
            pooled_tier=config.pooled_tier,
            tenants=config.plans,
            tags=tags,
        ),
    )
    return {
        **pipeline.stack_outputs(),
        # Read by the DAL and the demo (functions/contracts/directory.py): tier, status, keyspace, ...
        "tenants": storage.directory,
        "applicationRoleArn": storage.application_role_arn,
        "pooledKeyspace": POOLED_KEYSPACE,
    }
