"""The delivery streams as declared: the jq query Firehose will run, evaluated here on sample records."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import jq
import pytest

from functions.contracts.delivery_routing import delivery_stream_index
from functions.contracts.s3_layout import tenant_s3_prefix
from local.errors import PrefixError
from local.sandbox.firehose_prefix import render_prefix
from local.stack_file import read_stack_config
from tests.support.declared import DeclaredPipeline, run
from tiers.load import load_stack_config

FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"

LAST_MS_OF_2024 = 1735689599999  # 2024-12-31T23:59:59.999Z
# What the Flink job writes to the events stream: the envelope, the payload, and `timestamp`.
ENRICHED: dict[str, Any] = {
    "tenantId": "initech",
    "tier": "basic",
    "requestId": "r-1",
    "receivedAt": 1763800000000,
    "payload": {"tenantId": "acme", "timestamp": 0},  # client data: must not steer the partition
    "timestamp": LAST_MS_OF_2024,
}


def destination(pipeline: DeclaredPipeline, name_part: str) -> dict[str, Any]:
    stream = pipeline.one(FIREHOSE, name_part)
    assert stream.inputs["destination"] == "extended_s3"
    config: dict[str, Any] = stream.inputs["extendedS3Configuration"]
    return config


def declared_query(config: dict[str, Any]) -> tuple[str, str]:
    """(query, engine) of the MetadataExtraction processor, as declared."""
    (extraction,) = [p for p in config["processingConfiguration"]["processors"] if p["type"] == "MetadataExtraction"]
    parameters = {p["parameterName"]: p["parameterValue"] for p in extraction["parameters"]}
    assert set(parameters) == {"MetadataExtractionQuery", "JsonParsingEngine"}
    return parameters["MetadataExtractionQuery"], parameters["JsonParsingEngine"]


def s3_prefix_of(config: dict[str, Any], record: dict[str, Any]) -> str:
    """Where Firehose puts `record`: the declared query run by jq, filling the declared prefix."""
    query, _ = declared_query(config)
    keys: dict[str, Any] = jq.compile(query).input_value(record).first()
    return render_prefix(config["prefix"], keys, datetime.now(UTC))  # the prefix uses no arrival time


def test_events_are_dynamically_partitioned_by_the_declared_jq_query(dev):
    config = destination(dev, "delivery-events")
    assert config["dynamicPartitioningConfiguration"] == {"enabled": True}
    assert config["processingConfiguration"]["enabled"] is True
    query, engine = declared_query(config)
    assert engine == "JQ-1.6"
    assert jq.compile(query).input_value(ENRICHED).first() == {
        "tenantId": "initech",
        "year": "2024",
        "month": "12",
        "day": "31",
    }


def test_each_record_lands_under_its_envelope_tenant_and_utc_day(dev):
    config = destination(dev, "delivery-events")
    assert s3_prefix_of(config, ENRICHED) == "tenant=initech/year=2024/month=12/day=31/"
    next_day = {**ENRICHED, "tenantId": "umbrella-labs", "timestamp": LAST_MS_OF_2024 + 1}
    assert s3_prefix_of(config, next_day) == "tenant=umbrella-labs/year=2025/month=01/day=01/"
    # The tenant roles' S3 scope (naming.tenant_s3_prefix) is exactly where their events land.
    for tenant in ("initech", "umbrella-labs"):
        assert s3_prefix_of(config, {**ENRICHED, "tenantId": tenant}).startswith(tenant_s3_prefix(tenant))


def test_a_payload_tenant_id_never_moves_the_record(dev):
    config = destination(dev, "delivery-events")
    spoofed = {**ENRICHED, "payload": {"tenantId": "acme"}}
    assert s3_prefix_of(config, spoofed).startswith("tenant=initech/")


def test_a_record_without_tenant_cannot_be_placed(dev):
    config = destination(dev, "delivery-events")
    with pytest.raises(PrefixError, match="tenantId"):
        s3_prefix_of(config, {key: value for key, value in ENRICHED.items() if key != "tenantId"})


def test_records_are_newline_delimited_after_extraction(dev):
    processors = destination(dev, "delivery-events")["processingConfiguration"]["processors"]
    assert [processor["type"] for processor in processors] == ["MetadataExtraction", "AppendDelimiterToRecord"]


def test_failures_go_under_errors_by_error_type_for_both_streams(dev):
    events, rejects = destination(dev, "delivery-events"), destination(dev, "delivery-rejects")
    assert events["errorOutputPrefix"].startswith("errors/firehose/events/!{firehose:error-output-type}/")
    assert rejects["errorOutputPrefix"].startswith("errors/firehose/rejects/!{firehose:error-output-type}/")
    assert rejects["prefix"].startswith("errors/flink/")
    assert rejects["dynamicPartitioningConfiguration"] == {"enabled": False}
    assert [p["type"] for p in rejects["processingConfiguration"]["processors"]] == ["AppendDelimiterToRecord"]


def test_both_streams_write_the_ingest_bucket_with_the_firehose_role_and_log_delivery(dev):
    bucket = dev.one("aws:s3/bucket:Bucket", "ingestion-bucket")
    role = dev.one("aws:iam/role:Role", "delivery-role")
    group = dev.one("aws:cloudwatch/logGroup:LogGroup", "delivery-logs")
    for name_part in ("delivery-events", "delivery-rejects"):
        config = destination(dev, name_part)
        assert config["bucketArn"] == bucket.outputs["arn"]
        assert config["roleArn"] == role.outputs["arn"]
        logging = config["cloudwatchLoggingOptions"]
        assert logging["enabled"] is True
        assert logging["logGroupName"] == group.inputs["name"]
        stream = dev.one("aws:cloudwatch/logStream:LogStream", f"{name_part.split('-')[1]}-logs")
        assert logging["logStreamName"] == stream.inputs["name"]
        assert dev.one(FIREHOSE, name_part).inputs["serverSideEncryption"]["enabled"] is True


def test_buffering_comes_from_the_stack_config(dev):
    for name_part in ("delivery-events", "delivery-rejects"):
        config = destination(dev, name_part)
        assert (config["bufferingSize"], config["bufferingInterval"]) == (64, 60)  # Pulumi.dev.yaml
    resized = run("dev", **{"tenant-pipeline:ingest": {"buffering": {"sizeMb": 128, "intervalSeconds": 300}}})
    for name_part in ("delivery-events", "delivery-rejects"):
        config = destination(resized, name_part)
        assert (config["bufferingSize"], config["bufferingInterval"]) == (128, 300)


def test_every_events_stream_partitions_into_the_same_tenant_prefixes(dev):
    """Stream i differs from stream 0 only in its name and log stream: a tenant's stream never moves its prefix."""
    streams = sorted((r for r in dev.all(FIREHOSE) if "delivery-events" in r.name), key=lambda r: len(r.name))
    assert [r.inputs["name"] for r in streams] == [
        "tenant-pipeline-dev-delivery-events",
        "tenant-pipeline-dev-delivery-events-1",
    ]
    first = destination(dev, "delivery-events")
    second = destination(dev, "delivery-events-1")
    assert second["cloudwatchLoggingOptions"]["logStreamName"] == "events-1-DestinationDelivery"
    assert first["cloudwatchLoggingOptions"]["logStreamName"] == "events-DestinationDelivery"
    without_log = {key: value for key, value in first.items() if key != "cloudwatchLoggingOptions"}
    assert {key: value for key, value in second.items() if key != "cloudwatchLoggingOptions"} == without_log
    assert s3_prefix_of(second, ENRICHED) == s3_prefix_of(first, ENRICHED)


def test_one_stream_at_aws_default_partitions_for_the_dev_roster():
    single = run("dev", **{"tenant-pipeline:quotas": {"firehosePartitions": 500}})
    names = [r.inputs["name"] for r in single.all(FIREHOSE)]
    assert sorted(names) == ["tenant-pipeline-dev-delivery-events", "tenant-pipeline-dev-delivery-rejects"]


def test_the_partitions_need_is_the_busiest_declared_stream_s_tenants(dev):
    """The quota model's need counts the tenants the job routes to each stream the program declares."""
    streams = dev.outputs["eventsDeliveryStreams"]
    served = [tenant for tenant, record in dev.outputs["tenants"].items() if record["status"] == "active"]
    routed = Counter(delivery_stream_index(tenant, len(streams)) for tenant in served)
    assert len(streams) == 2 and set(routed) == {0, 1}
    raw = read_stack_config("dev")
    values = {key.removeprefix("tenant-pipeline:"): value for key, value in raw.items() if key != "aws:region"}
    config = load_stack_config(values, environment="dev", region=raw["aws:region"])
    (need,) = [use.need for use in config.quota_uses() if use.spec.key == "firehosePartitions"]
    assert need == max(routed.values()) <= config.quotas.firehose_partitions == 4


def test_every_enriched_events_stream_lands_gzip_and_rejects_stay_readable(dev):
    """Compression on every enriched-events stream (the analytics table reads fewer bytes); rejects stay plain."""
    events = [r for r in dev.all(FIREHOSE) if "delivery-events" in r.name]
    assert len(events) >= 2  # the dev roster spreads over two streams: each one must be compressed
    assert {r.inputs["extendedS3Configuration"]["compressionFormat"] for r in events} == {"GZIP"}
    assert destination(dev, "delivery-rejects")["compressionFormat"] == "UNCOMPRESSED"
