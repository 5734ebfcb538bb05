"""The platform stack: the shared ingestion pipeline, the pool, the directory bucket, and what the stack exports.

In an environment without cells it is the only stack and declares every tenant's resources too; with cells
(tiers/cells.py) it declares none of them, and exports what the cells read: the usage plans, the API key secret,
the application role, and the records of a one-stack environment it was before (`adoptedTenants`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.analytics.analytics import TenantAnalytics, TenantAnalyticsArgs
from components.ingestion.pipeline import IngestionPipeline, IngestionPipelineArgs
from components.storage.directory_document import TenantDirectoryDocument, TenantDirectoryDocumentArgs
from components.storage.storage import TenantStorage, TenantStorageArgs
from components.tags import platform_tags
from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.keyspaces import POOLED_KEYSPACE
from tiers.naming import s3_bucket_arn
from tiers.stack_config import StackConfig


def declare_platform(config: StackConfig, adopted: Mapping[str, Any] | None = None) -> dict[str, pulumi.Input[Any]]:
    """Declare every resource of the platform stack; return the stack outputs by name.

    `adopted`: with cells, the `tenants` records this stack held when it was the environment's only stack (its
    last `tenants` or `adoptedTenants` output), exported again for the cells (tiers/cell_scope.py key_cells).
    """
    namer = config.namer
    tenants = config.plans if config.declares_tenants() else ()
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
            tenants=tenants,
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
            pool=config.pool,
            tenants=tenants,
            tags=tags,
        ),
    )
    directory = TenantDirectoryDocument(
        "tenant-directory",
        TenantDirectoryDocumentArgs(
            bucket_name=directory_bucket,
            # With cells, each cell publishes its own slice in this bucket (components/cells/tenant_cell.py).
            entries=None if config.cells else storage.directory,
            tags=tags,
            force_destroy=config.disposable,
        ),
    )
    analytics = TenantAnalytics(
        "analytics",
        TenantAnalyticsArgs(
            namer=namer,
            region=config.region,
            account_id=account_id,
            ingest_bucket=bucket_name,
            tiers=config.tiers,
            tags=tags,
            force_destroy=config.disposable,
        ),
    )
    outputs: dict[str, pulumi.Input[Any]] = {
        **pipeline.stack_outputs(),
        **analytics.stack_outputs(),
        # Where running code reads the directory's slices: the authorizer, and the DAL (TenantDirectory.from_s3).
        "directoryBucket": directory.bucket.bucket,
        "directoryPrefix": DIRECTORY_PREFIX,
        "applicationRoleArn": storage.application_role_arn,
        "pooledKeyspace": POOLED_KEYSPACE,
    }
    if config.cells is None:
        # The directory's records (functions/contracts/directory.py): tier, status, keyspace, ...
        outputs["tenants"] = storage.directory
        return outputs
    return {
        **outputs,
        # What the cells read (components/cells/tenant_cell.py PlatformOutputs).
        "usagePlanIds": pipeline.api_keys.usage_plan_ids(),
        "apiKeySecret": pipeline.authorizer.secret,
        "adoptedTenants": dict(adopted or {}),
    }
