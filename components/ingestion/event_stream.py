"""The event stream: a KMS-encrypted Kinesis Data Stream, on-demand or provisioned from config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from tiers.model import IngestSettings
from tiers.naming import Namer, logical

RETENTION_HOURS = 24  # Kinesis' minimum: Flink checkpoints its position, replays come from there
KEY_DELETION_WINDOW_DAYS = 30


@dataclass
class EventStreamArgs:
    namer: Namer
    settings: IngestSettings
    tags: Mapping[str, str]


class EventStream(pulumi.ComponentResource):
    key: aws.kms.Key
    stream: aws.kinesis.Stream

    def __init__(self, name: str, args: EventStreamArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:EventStream", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings

        # A key of its own: producers (API Gateway) and the consumer (Flink) get grants on exactly it.
        self.key = aws.kms.Key(
            logical(name, "key"),
            description=f"Encrypts the {args.namer.prefix} event stream",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            tags=dict(args.tags),
            opts=child,
        )
        aws.kms.Alias(
            logical(name, "key-alias"), name=args.namer.kms_alias("events"), target_key_id=self.key.key_id, opts=child
        )
        provisioned = settings.stream_mode == "PROVISIONED"
        self.stream = aws.kinesis.Stream(
            name,
            name=args.namer.physical("kinesis-stream", "events"),
            stream_mode_details={"stream_mode": settings.stream_mode},
            shard_count=settings.shard_count if provisioned else None,
            retention_period=RETENTION_HOURS,
            encryption_type="KMS",
            kms_key_id=self.key.arn,
            tags=dict(args.tags),
            opts=child,
        )
        self.register_outputs({"streamName": self.stream.name, "streamArn": self.stream.arn})
