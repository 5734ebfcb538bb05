"""The shared (pooled) ingestion pipeline: identity, API, stream, Flink, Firehose, ingest bucket.

tenant app --Cognito ID token--> API (authorizer) --> Kinesis --> Flink --> Firehose --> S3.
Per tenant only an API key and its usage-plan membership are declared (TenantApiKeys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.ingestion.api_authorizer import ApiAuthorizer, ApiAuthorizerArgs
from components.ingestion.delivery_streams import DeliveryStreams, DeliveryStreamsArgs
from components.ingestion.event_stream import EventStream, EventStreamArgs
from components.ingestion.firehose_partitioning import ERRORS_PREFIX
from components.ingestion.identity import TenantIdentity, TenantIdentityArgs
from components.ingestion.ingest_api import IngestApi, IngestApiArgs
from components.ingestion.protected_bucket import ExpiringPrefix, ProtectedBucket, ProtectedBucketArgs
from components.ingestion.stream_processor import StreamProcessor, StreamProcessorArgs
from components.ingestion.tenant_api_keys import TenantApiKeys, TenantApiKeysArgs
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan
from tiers.stack_config import StackConfig

# Rejected and undeliverable records are for investigation, not for keeping.
ERRORS_RETENTION = ExpiringPrefix(rule_id="expire-errors", prefix=ERRORS_PREFIX, days=30, noncurrent_days=7)


@dataclass
class IngestionPipelineArgs:
    config: StackConfig
    namer: Namer
    tenants: Sequence[TenantPlan]
    bucket_name: pulumi.Input[str]  # tiers.naming.Namer.ingest_bucket
    directory_bucket: pulumi.Input[str]  # tiers.naming.Namer.directory_bucket: the authorizer reads the directory
    tags: Mapping[str, str]


class IngestionPipeline(pulumi.ComponentResource):
    def __init__(self, name: str, args: IngestionPipelineArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:IngestionPipeline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        config, namer = args.config, args.namer
        region = config.region
        tags = args.tags
        disposable = config.disposable
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        self.identity = TenantIdentity(
            logical(name, "identity"),
            TenantIdentityArgs(namer=namer, deletion_protection=not disposable, tags=tags),
            opts=child,
        )
        self.bucket = ProtectedBucket(
            logical(name, "bucket"),
            ProtectedBucketArgs(
                bucket_name=args.bucket_name,
                tags=tags,
                expiring_prefixes=(ERRORS_RETENTION,),
                force_destroy=disposable,
            ),
            opts=child,
        )
        self.stream = EventStream(
            logical(name, "stream"), EventStreamArgs(namer=namer, settings=config.ingest, tags=tags), opts=child
        )
        self.authorizer = ApiAuthorizer(
            logical(name, "authorizer"),
            ApiAuthorizerArgs(
                namer=namer,
                region=region,
                account_id=account_id,
                user_pool_id=self.identity.user_pool.id,
                app_client_ids=pulumi.Output.from_input(self.identity.app_client.id).apply(lambda client: [client]),
                directory_bucket=args.directory_bucket,
                tags=tags,
            ),
            opts=child,
        )
        self.api = IngestApi(
            logical(name, "api"),
            IngestApiArgs(
                namer=namer,
                region=region,
                stream_name=self.stream.stream.name,
                stream_arn=self.stream.stream.arn,
                stream_key_arn=self.stream.key.arn,
                authorizer_function=self.authorizer.function,
                tags=tags,
                manage_account_logging=config.ingest.manage_api_gateway_account,
                cors_origins=config.ingest.cors_origins,
                partition_keys_by_tier={tier.name: tier.partition_keys for tier in config.tiers.values()},
            ),
            opts=child,
        )
        self.api_keys = TenantApiKeys(
            logical(name, "api-keys"),
            TenantApiKeysArgs(
                namer=namer,
                tiers=config.tiers,
                tenants=args.tenants,
                rest_api_id=self.api.rest_api.id,
                stage_name=self.api.stage.stage_name,
                secret=self.authorizer.secret,
                tags=tags,
            ),
            opts=child,
        )
        self.delivery = DeliveryStreams(
            logical(name, "delivery"),
            DeliveryStreamsArgs(
                namer=namer,
                account_id=account_id,
                bucket_arn=self.bucket.bucket.arn,
                settings=config.ingest,
                tags=tags,
                streams=config.delivery_shards.count,
            ),
            opts=child,
        )
        self.processor = StreamProcessor(
            logical(name, "processor"),
            StreamProcessorArgs(
                namer=namer,
                region=region,
                account_id=account_id,
                stream_arn=self.stream.stream.arn,
                stream_key_arn=self.stream.key.arn,
                events_delivery_streams=self.delivery.event_streams,
                rejects_delivery_stream=self.delivery.rejects,
                ingest_bucket=self.bucket.bucket,
                force_destroy_artifacts=disposable,
                tags=tags,
            ),
            opts=child,
        )
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Output[str] | pulumi.Output[list[str]]]:
        """What users of the pipeline need, by stack output name."""
        return {
            "apiUrl": self.api.url,
            "userPoolId": self.identity.user_pool.id,
            "appClientId": self.identity.app_client.id,
            "ingestBucket": self.bucket.bucket.bucket,
            "eventStream": self.stream.stream.name,
            "eventsDeliveryStream": self.delivery.events.name,
            # Every enriched-events stream, by index (the Flink job routes tenants over them).
            "eventsDeliveryStreams": pulumi.Output.all(*(stream.name for stream in self.delivery.event_streams)),
            "rejectsDeliveryStream": self.delivery.rejects.name,
            "flinkApplication": self.processor.application.name,
        }
