"""Per-tenant analytics, the analytics area's root component: the catalog, a workgroup per tier and the results
bucket (docs/design.md "Per-tenant analytics"). Each tenant identity's query permissions are a policy of its own
role, declared with it wherever the role is (components/storage/analytics_policy.py): in the one stack, or in the
tenant's cell.

The documents and the table are plain functions beside this file (catalog.py, policies.py); this component only
wires them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.analytics.catalog import (
    EVENT_COLUMNS,
    EVENTS_TABLE,
    PARTITION_COMMENTS,
    projection_parameters,
    serde_parameters,
)
from components.analytics.json_lines import json_lines_storage
from components.ingestion.protected_bucket import ExpiringPrefix, ProtectedBucket, ProtectedBucketArgs
from functions.contracts.s3_layout import EVENT_PARTITIONS, TENANT_DATA_PREFIX
from tiers.naming import Namer, logical
from tiers.policy import TierPolicy

# Query results are derived data, read soon after the query: kept a week.
RESULTS_RETENTION = ExpiringPrefix(rule_id="expire-query-results", prefix="", days=7, noncurrent_days=1)
# A workgroup's own output location: under no tenant's prefix, so no tenant identity may write there; a query
# that names no location of its own fails instead of leaving its results where others of the tier could look.
WORKGROUP_DEFAULT_PREFIX = "workgroup-default/"


@dataclass
class TenantAnalyticsArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket: pulumi.Input[str]  # its name
    tiers: Mapping[str, TierPolicy]
    tags: Mapping[str, str]
    force_destroy: bool = False  # disposable stacks only: workgroups with history, a results bucket with objects


class TenantAnalytics(pulumi.ComponentResource):
    database: aws.glue.CatalogDatabase
    table: aws.glue.CatalogTable
    workgroups: dict[str, aws.athena.Workgroup]  # by tier
    results_bucket: aws.s3.Bucket

    def __init__(self, name: str, args: TenantAnalyticsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:analytics:TenantAnalytics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer, tags = args.namer, dict(args.tags)
        account_id = pulumi.Output.from_input(args.account_id)
        results = ProtectedBucket(
            logical(name, "results"),
            ProtectedBucketArgs(
                bucket_name=account_id.apply(lambda account: namer.analytics_results_bucket(account, args.region)),
                tags=tags,
                expiring_prefixes=(RESULTS_RETENTION,),
                force_destroy=args.force_destroy,
            ),
            opts=child,
        )
        self.results_bucket = results.bucket
        self.database = aws.glue.CatalogDatabase(
            logical(name, "database"),
            name=namer.analytics_database(),
            description="Tenant analytics: the landed events, and (later) per-tenant usage tables, each "
            "partitioned by an injected tenant: a query names its tenant, and reads its data only",
            tags=tags,
            opts=child,
        )
        self.table = aws.glue.CatalogTable(
            logical(name, "events"),
            database_name=self.database.name,
            name=EVENTS_TABLE,
            description="Enriched events as landed by Firehose (GZIP JSON Lines), partition projection, no crawler",
            table_type="EXTERNAL_TABLE",
            parameters=pulumi.Output.from_input(args.ingest_bucket).apply(projection_parameters),
            partition_keys=[
                {"name": part, "type": "string", "comment": PARTITION_COMMENTS[part]} for part in EVENT_PARTITIONS
            ],
            storage_descriptor=json_lines_storage(
                pulumi.Output.from_input(args.ingest_bucket).apply(
                    lambda bucket: f"s3://{bucket}/{TENANT_DATA_PREFIX}"
                ),
                EVENT_COLUMNS,
                serde_parameters(),
                compressed=True,
            ),
            opts=child,
        )
        self.workgroups = {
            tier.name: aws.athena.Workgroup(
                logical(name, "workgroup", tier.name),
                name=namer.tier_workgroup(tier.name),
                description=f"Analytics queries of the {tier.name} tier's tenants",
                configuration={
                    "bytes_scanned_cutoff_per_query": tier.query_bytes_scanned_cutoff,
                    # Each tenant names its own results prefix, which only it may write (policies.py): a
                    # workgroup-wide enforced location would put every tenant of the tier in one prefix.
                    "enforce_workgroup_configuration": False,
                    "enable_minimum_encryption_configuration": True,
                    "publish_cloudwatch_metrics_enabled": True,
                    "result_configuration": {
                        "output_location": results.bucket.bucket.apply(
                            lambda bucket: f"s3://{bucket}/{WORKGROUP_DEFAULT_PREFIX}"
                        ),
                        "encryption_configuration": {"encryption_option": "SSE_S3"},
                    },
                },
                force_destroy=args.force_destroy,
                tags=tags,
                opts=child,
            )
            for tier in args.tiers.values()
        }
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Input[object]]:
        return {
            "analyticsDatabase": self.database.name,
            "analyticsTable": self.table.name,
            "analyticsWorkgroups": {tier: workgroup.name for tier, workgroup in self.workgroups.items()},
            "analyticsResultsBucket": self.results_bucket.bucket,
        }
