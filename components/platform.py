"""The platform of one stack: the shared ingestion pipeline, tenant storage, and what the stack exports."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.analytics.analytics import TenantAnalytics, TenantAnalyticsArgs
from components.analytics.grants import analytics_grants
from components.ingestion.pipeline import IngestionPipeline, IngestionPipelineArgs
from components.storage.directory_document import TenantDirectoryDocument, TenantDirectoryDocumentArgs
from components.storage.storage import TenantStorage, TenantStorageArgs
from components.tags import platform_tags
from functions.contracts.keyspaces import POOLED_KEYSPACE
from tiers.naming import DIRECTORY_DOCUMENT_KEY, s3_bucket_arn
from tiers.stack_config import StackConfig


def declare_platform(config: StackConfig) -> dict[str, pulumi.Input[Any]]:
    """Declare every resource of the stack; return the stack outputs by name."""
    namer = config.namer
    tags = platform_tags(config.environment)
    # The bucket's name is derived, not generated, so tenant policies can name it before it exists.
    account_id = aws.get_caller_identity_output().account_id
    bucket_name = account_id.apply(lambda account: namer.ingest_bucket(account, config.region))
    # Derived too: the authorizer's environment and policy name the directory before storage has built it.
    directory_bucket = account_id.apply(lambda account: namer.directory_bucket(account, config.region))

    pipeline = IngestionPipeline(
        "ingestion",
        IngestionPipelineArgs(
            config=config,
            namer=namer,
            tenants=config.plans,
            bucket_name=bucket_name,
            directory_bucket=directory_bucket,
            tags=tags,
        ),
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
    directory = TenantDirectoryDocument(
        "tenant-directory",
        TenantDirectoryDocumentArgs(
            bucket_name=directory_bucket,
            entries=storage.directory,
            tags=tags,
            force_destroy=config.disposable,
        ),
    )
    grants = analytics_grants(config.plans, list(storage.silo_role_arns))
    analytics = TenantAnalytics(
        "analytics",
        TenantAnalyticsArgs(
            namer=namer,
            region=config.region,
            account_id=account_id,
            ingest_bucket=bucket_name,
            tiers=config.tiers,
            grants=grants,
            role_arns={
                grant.role: storage.silo_role_arns[grant.tenant_id]
                if grant.tenant_id is not None
                else storage.pooled_role_arns[grant.shard or 0]
                for grant in grants
            },
            tags=tags,
            force_destroy=config.disposable,
        ),
    )
    return {
        **pipeline.stack_outputs(),
        **analytics.stack_outputs(),
        # The directory's records (functions/contracts/directory.py): tier, status, keyspace, ...
        "tenants": storage.directory,
        # Where running code reads them: the authorizer, and the DAL (TenantDirectory.from_s3).
        "directoryBucket": directory.bucket.bucket,
        "directoryKey": DIRECTORY_DOCUMENT_KEY,
        "applicationRoleArn": storage.application_role_arn,
        "pooledKeyspace": POOLED_KEYSPACE,
    }
