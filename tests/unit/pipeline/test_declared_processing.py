"""The event stream and the Flink application as declared: encryption, sizing, code, properties, logging."""

from __future__ import annotations

import re

from components.ingestion.flink_properties import flink_property_groups
from local.paths import PROJECT_ROOT
from tests.support.declared import run

STREAM = "aws:kinesis/stream:Stream"
APPLICATION = "aws:kinesisanalyticsv2/application:Application"


def test_stream_is_encrypted_with_its_own_key_and_on_demand_from_config(dev):
    stream = dev.one(STREAM)
    assert stream.inputs["encryptionType"] == "KMS"
    assert stream.inputs["kmsKeyId"] == dev.arn("aws:kms/key:Key", "stream-key")
    assert dev.one("aws:kms/key:Key", "stream-key").inputs["enableKeyRotation"] is True
    assert stream.inputs["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert "shardCount" not in stream.inputs


def test_a_provisioned_stream_gets_the_configured_shards():
    provisioned = run("dev", **{"tenant-pipeline:ingest": {"stream": {"mode": "PROVISIONED", "shards": 4}}})
    stream = provisioned.one(STREAM)
    assert stream.inputs["streamModeDetails"] == {"streamMode": "PROVISIONED"}
    assert stream.inputs["shardCount"] == 4


def test_flink_runtime_matches_the_jobs_flink_version(dev):
    pinned = re.search(r"^apache-flink==(\d+)\.(\d+)\.", (PROJECT_ROOT / "requirements-flink.txt").read_text(), re.M)
    assert pinned
    assert dev.one(APPLICATION).inputs["runtimeEnvironment"] == f"FLINK-{pinned[1]}_{pinned[2]}"


def test_flink_runs_the_uploaded_code_object_version(dev):
    code = dev.one("aws:s3/bucketObjectv2:BucketObjectv2", "processor-code")
    artifacts = dev.one("aws:s3/bucket:Bucket", "artifacts")
    assert code.inputs["bucket"] == artifacts.id
    assert code.inputs["source"].path == "build/flink/tenant-pipeline-flink.zip"
    configuration = dev.one(APPLICATION).inputs["applicationConfiguration"]["applicationCodeConfiguration"]
    assert configuration["codeContentType"] == "ZIPFILE"
    assert configuration["codeContent"]["s3ContentLocation"] == {
        "bucketArn": artifacts.outputs["arn"],
        "fileKey": code.inputs["key"],
        "objectVersion": code.outputs["versionId"],
    }


def test_flink_properties_name_the_declared_stream_and_delivery_streams(dev):
    firehose = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
    groups = dev.one(APPLICATION).inputs["applicationConfiguration"]["environmentProperties"]["propertyGroups"]
    declared = {group["propertyGroupId"]: group["propertyMap"] for group in groups}
    assert declared == flink_property_groups(
        dev.arn(STREAM),
        "us-east-1",
        [dev.one(firehose, "delivery-events").outputs["name"], dev.one(firehose, "delivery-events-1").outputs["name"]],
        dev.one(firehose, "delivery-rejects").outputs["name"],
        dev.one("aws:s3/bucket:Bucket", "ingestion-bucket").outputs["bucket"],
    )


def test_flink_checkpoints_logs_to_cloudwatch_and_runs_as_its_role(dev):
    application = dev.one(APPLICATION)
    flink = application.inputs["applicationConfiguration"]["flinkApplicationConfiguration"]
    checkpoints = flink["checkpointConfiguration"]
    assert checkpoints["configurationType"] == "CUSTOM"
    assert checkpoints["checkpointingEnabled"] is True
    assert checkpoints["checkpointInterval"] > 0
    assert application.inputs["cloudwatchLoggingOptions"] == {
        "logStreamArn": dev.arn("aws:cloudwatch/logStream:LogStream", "processor-log-stream")
    }
    assert application.inputs["serviceExecutionRole"] == dev.arn("aws:iam/role:Role", "processor-role")
    assert application.inputs["startApplication"] is True
