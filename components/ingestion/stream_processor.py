"""The stream processor: the PyFlink job on Managed Service for Apache Flink.

It reads the event stream, validates and enriches each record, and writes enriched records to the
`events` delivery stream (or, with several, to its tenant's one: functions/contracts/delivery_routing.py)
and rejected ones to `rejects`. The job's zip (`make flink-package`) is
uploaded by the program to an artifacts bucket of its own; the application runs that object version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.build_artifacts import flink_code
from components.ingestion.flink_properties import RUNTIME_ENVIRONMENT, flink_property_groups
from components.ingestion.policies import FLINK, FlinkAccess, assume_role_policy, flink_policy
from components.ingestion.protected_bucket import ProtectedBucket, ProtectedBucketArgs
from components.ingestion.service_role import declare_service_role
from functions.contracts.s3_layout import METERING_PREFIX
from tiers.naming import Namer, logical

CODE_KEY = "flink/tenant-pipeline-flink.zip"
CHECKPOINT_INTERVAL_MS = 60_000
MIN_PAUSE_BETWEEN_CHECKPOINTS_MS = 5_000
PARALLELISM = 1  # the starting point; the service scales KPUs with auto scaling on
LOG_RETENTION_DAYS = 30
LOG_STREAM = "application"


@dataclass
class StreamProcessorArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    stream_arn: pulumi.Input[str]
    stream_key_arn: pulumi.Input[str]
    events_delivery_streams: Sequence[aws.kinesis.FirehoseDeliveryStream]  # by index
    rejects_delivery_stream: aws.kinesis.FirehoseDeliveryStream
    ingest_bucket: aws.s3.Bucket  # the metering output goes to its metering prefix
    force_destroy_artifacts: bool
    tags: Mapping[str, str]


class StreamProcessor(pulumi.ComponentResource):
    application: aws.kinesisanalyticsv2.Application

    def __init__(self, name: str, args: StreamProcessorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:StreamProcessor", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer, tags = args.namer, dict(args.tags)

        artifacts = ProtectedBucket(
            logical(name, "artifacts"),
            ProtectedBucketArgs(
                bucket_name=pulumi.Output.from_input(args.account_id).apply(
                    lambda account: namer.artifacts_bucket(account, args.region)
                ),
                tags=tags,
                force_destroy=args.force_destroy_artifacts,
            ),
            opts=child,
        )
        code = aws.s3.BucketObjectv2(
            logical(name, "code"),
            bucket=artifacts.bucket.id,
            key=CODE_KEY,
            source=flink_code(),
            content_type="application/zip",
            tags=tags,
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            logical(name, "logs"),
            name=namer.log_group("kinesis-analytics", "enrich"),
            retention_in_days=LOG_RETENTION_DAYS,
            tags=tags,
            opts=child,
        )
        log_stream = aws.cloudwatch.LogStream(
            logical(name, "log-stream"), log_group_name=log_group.name, name=LOG_STREAM, opts=child
        )

        events, rejects = list(args.events_delivery_streams), args.rejects_delivery_stream
        access = pulumi.Output.all(
            args.stream_arn,
            args.stream_key_arn,
            pulumi.Output.concat(artifacts.bucket.arn, "/", CODE_KEY),
            log_group.arn,
            log_stream.arn,
            args.account_id,
            rejects.arn,
            args.ingest_bucket.arn,
            *(stream.arn for stream in events),
        ).apply(
            lambda values: FlinkAccess(
                stream_arn=values[0],
                stream_key_arn=values[1],
                delivery_stream_arns=(*values[8:], values[6]),
                code_object_arn=values[2],
                log_group_arn=values[3],
                log_stream_arn=values[4],
                region=args.region,
                account_id=values[5],
                metering_bucket_arn=values[7],
                metering_prefix=METERING_PREFIX,
            )
        )
        service = declare_service_role(
            name,
            name=namer.physical("iam-role", "flink"),
            description="The Flink job: read the event stream, write the delivery streams, load its code",
            trust_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(assume_role_policy(FLINK, source_account=account))
            ),
            policy=access.apply(lambda granted: json.dumps(flink_policy(granted))),
            tags=tags,
            parent=self,
        )
        role, role_policy = service.role, service.policy
        property_groups = pulumi.Output.all(
            args.stream_arn, rejects.name, args.ingest_bucket.bucket, *(stream.name for stream in events)
        ).apply(
            lambda values: _property_groups(
                flink_property_groups(values[0], args.region, values[3:], values[1], metering_bucket=values[2])
            )
        )
        configuration: aws.kinesisanalyticsv2.ApplicationApplicationConfigurationArgsDict = {
            "application_code_configuration": {
                "code_content_type": "ZIPFILE",
                "code_content": {
                    "s3_content_location": {
                        "bucket_arn": artifacts.bucket.arn,
                        "file_key": code.key,
                        "object_version": code.version_id,
                    }
                },
            },
            "environment_properties": {"property_groups": property_groups},
            "flink_application_configuration": {
                "checkpoint_configuration": {
                    "configuration_type": "CUSTOM",
                    "checkpointing_enabled": True,
                    "checkpoint_interval": CHECKPOINT_INTERVAL_MS,
                    "min_pause_between_checkpoints": MIN_PAUSE_BETWEEN_CHECKPOINTS_MS,
                },
                "monitoring_configuration": {
                    "configuration_type": "CUSTOM",
                    "log_level": "INFO",
                    "metrics_level": "APPLICATION",
                },
                "parallelism_configuration": {
                    "configuration_type": "CUSTOM",
                    "parallelism": PARALLELISM,
                    "parallelism_per_kpu": 1,
                    "auto_scaling_enabled": True,
                },
            },
            "application_snapshot_configuration": {"snapshots_enabled": True},
            "run_configuration": {
                "application_restore_configuration": {"application_restore_type": "RESTORE_FROM_LATEST_SNAPSHOT"},
                "flink_run_configuration": {"allow_non_restored_state": False},
            },
        }
        self.application = aws.kinesisanalyticsv2.Application(
            name,
            name=namer.physical("flink-app", "enrich"),
            description="Validates and enriches tenant events; delivers them and the rejects to S3 via Firehose",
            runtime_environment=RUNTIME_ENVIRONMENT,
            service_execution_role=role.arn,
            application_configuration=configuration,
            cloudwatch_logging_options={"log_stream_arn": log_stream.arn},
            start_application=True,  # `pulumi up` leaves the pipeline running
            tags=tags,
            # The service checks the role (code, logs) when the application is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
        self.register_outputs({"application": self.application.name, "codeBucket": artifacts.bucket.bucket})


PropertyGroup = aws.kinesisanalyticsv2.ApplicationApplicationConfigurationEnvironmentPropertiesPropertyGroupArgsDict


def _property_groups(groups: dict[str, dict[str, str]]) -> list[PropertyGroup]:
    return [{"property_group_id": group_id, "property_map": properties} for group_id, properties in groups.items()]
