"""Firehose delivery streams (Direct PUT, written by the Flink job) into the ingest bucket.

`events`: enriched records, dynamically partitioned per tenant and day; past one stream's active
partitions, `streams` of them, each carrying its share of the tenants (tiers/delivery_shards.py) under the
same prefixes. Stream 0 keeps the name and logical name a single stream always had.
`rejects`: records the Flink job refused, kept under errors/ (never dropped silently).
Layout: ingestion/firehose_partitioning.py. Enriched events land GZIP-compressed (keys end in `.gz`): the
analytics table reads them with a quarter or less of the bytes (bench/RESULTS.md "Analytics"); rejects stay
plain JSON Lines, for people to read. Changing the compression updates a stream in place; objects already
landed keep theirs, and readers decompress by the key's suffix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.ingestion.firehose_partitioning import (
    EVENTS_ERROR_PREFIX,
    EVENTS_PREFIX,
    JSON_PARSING_ENGINE,
    METADATA_EXTRACTION_QUERY,
    REJECTS_ERROR_PREFIX,
    REJECTS_PREFIX,
    WRITTEN_PREFIXES,
)
from components.ingestion.policies import FIREHOSE, assume_role_policy, firehose_delivery_policy
from components.ingestion.service_role import declare_service_role
from tiers.model import IngestSettings
from tiers.naming import Namer, events_delivery_part, logical

LOG_RETENTION_DAYS = 30
DELIVERY_LOG_STREAM = "DestinationDelivery"
# Objects hold one JSON record per line (JSON Lines): the Flink job writes records without a newline.
Processor = aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorArgsDict
NEWLINE_AFTER_EACH_RECORD: Processor = {"type": "AppendDelimiterToRecord"}
EVENTS_COMPRESSION = "GZIP"  # Firehose appends functions.contracts.s3_layout.COMPRESSED_EVENTS_SUFFIX
REJECTS_COMPRESSION = "UNCOMPRESSED"


@dataclass
class DeliveryStreamsArgs:
    namer: Namer
    account_id: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    settings: IngestSettings
    tags: Mapping[str, str]
    streams: int = 1  # enriched-events delivery streams (StackConfig.delivery_shards)


class DeliveryStreams(pulumi.ComponentResource):
    events: aws.kinesis.FirehoseDeliveryStream  # stream 0
    event_streams: list[aws.kinesis.FirehoseDeliveryStream]  # every enriched-events stream, by index
    rejects: aws.kinesis.FirehoseDeliveryStream

    def __init__(self, name: str, args: DeliveryStreamsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:DeliveryStreams", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer, tags = args.namer, dict(args.tags)
        if args.streams < 1:
            raise ComponentInputError(f"the enriched events need at least one delivery stream, got {args.streams}")
        events_parts = {
            events_delivery_part(stream): namer.events_delivery_stream(stream) for stream in range(args.streams)
        }

        log_group = aws.cloudwatch.LogGroup(
            logical(name, "logs"),
            name=namer.log_group("kinesisfirehose", "delivery"),
            retention_in_days=LOG_RETENTION_DAYS,
            tags=tags,
            opts=child,
        )
        log_streams = {
            stream: aws.cloudwatch.LogStream(
                logical(name, stream, "logs"),
                log_group_name=log_group.name,
                name=f"{stream}-{DELIVERY_LOG_STREAM}",
                opts=child,
            )
            for stream in (*events_parts, "rejects")
        }
        service = declare_service_role(
            name,
            name=namer.physical("iam-role", "firehose"),
            description="Firehose delivery streams: write the ingest bucket's tenant and error prefixes",
            trust_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(assume_role_policy(FIREHOSE, external_id=account))
            ),
            policy=pulumi.Output.all(args.bucket_arn, *(stream.arn for stream in log_streams.values())).apply(
                lambda arns: json.dumps(firehose_delivery_policy(arns[0], WRITTEN_PREFIXES, arns[1:]))
            ),
            tags=tags,
            parent=self,
        )
        role, role_policy = service.role, service.policy
        # Firehose checks the role's access when the stream is created.
        after_policy = pulumi.ResourceOptions(parent=self, depends_on=[role_policy])

        def destination(
            stream: str,
            prefix: str,
            error_prefix: str,
            processors: list[Processor],
            compression: str,
            *,
            partitioned: bool = False,
        ) -> aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgsDict:
            return {
                "role_arn": role.arn,
                "bucket_arn": args.bucket_arn,
                "prefix": prefix,
                "error_output_prefix": error_prefix,
                "buffering_size": args.settings.buffer_size_mb,
                "buffering_interval": args.settings.buffer_interval_seconds,
                "compression_format": compression,
                "dynamic_partitioning_configuration": {"enabled": partitioned},
                "processing_configuration": {"enabled": True, "processors": processors},
                "cloudwatch_logging_options": {
                    "enabled": True,
                    "log_group_name": log_group.name,
                    "log_stream_name": log_streams[stream].name,
                },
            }

        extract_partition_keys: Processor = {
            "type": "MetadataExtraction",
            "parameters": [
                {"parameter_name": "MetadataExtractionQuery", "parameter_value": METADATA_EXTRACTION_QUERY},
                {"parameter_name": "JsonParsingEngine", "parameter_value": JSON_PARSING_ENGINE},
            ],
        }
        self.event_streams = [
            aws.kinesis.FirehoseDeliveryStream(
                logical(name, part),
                name=physical_name,
                destination="extended_s3",
                server_side_encryption={"enabled": True, "key_type": "AWS_OWNED_CMK"},
                extended_s3_configuration=destination(
                    part,
                    EVENTS_PREFIX,
                    EVENTS_ERROR_PREFIX,
                    [extract_partition_keys, NEWLINE_AFTER_EACH_RECORD],
                    EVENTS_COMPRESSION,
                    partitioned=True,
                ),
                tags=tags,
                opts=after_policy,
            )
            for part, physical_name in events_parts.items()
        ]
        self.events = self.event_streams[0]
        self.rejects = aws.kinesis.FirehoseDeliveryStream(
            logical(name, "rejects"),
            name=namer.physical("firehose", "delivery", "rejects"),
            destination="extended_s3",
            server_side_encryption={"enabled": True, "key_type": "AWS_OWNED_CMK"},
            extended_s3_configuration=destination(
                "rejects", REJECTS_PREFIX, REJECTS_ERROR_PREFIX, [NEWLINE_AFTER_EACH_RECORD], REJECTS_COMPRESSION
            ),
            tags=tags,
            opts=after_policy,
        )
        self.register_outputs({"events": self.events.name, "rejects": self.rejects.name})
