"""The Flink application's property groups: the contract the PyFlink job reads."""

from __future__ import annotations

import pytest

from components.errors import ComponentInputError
from components.ingestion.flink_properties import flink_property_groups

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/tp-dev-events"
BUCKET = "tp-dev-ingest-123456789012-us-east-1"


def test_property_groups_are_exactly_the_contract():
    assert flink_property_groups(STREAM, "us-east-1", ["tp-events"], "tp-rejects", BUCKET) == {
        "kinesis.analytics.flink.run.options": {"python": "main.py", "jarfile": "lib/flink-connectors.jar"},
        "KinesisSource": {"stream.arn": STREAM, "aws.region": "us-east-1", "initial.position": "TRIM_HORIZON"},
        "EnrichedSink": {"delivery.stream.name": "tp-events", "aws.region": "us-east-1"},
        "RejectedSink": {"delivery.stream.name": "tp-rejects", "aws.region": "us-east-1"},
        "Metering": {"bucket": BUCKET, "window.seconds": "3600"},
    }


def test_metering_goes_to_a_bucket():
    with pytest.raises(ComponentInputError, match="the metering output needs an S3 bucket name, got 'arn:aws:s3:::b'"):
        flink_property_groups(STREAM, "us-east-1", ["tp-events"], "tp-rejects", "arn:aws:s3:::b")


def test_missing_names_are_refused():
    with pytest.raises(ComponentInputError, match="rejected delivery stream"):
        flink_property_groups(STREAM, "us-east-1", ["tp-events"], "", BUCKET)


def test_the_source_must_be_a_stream_arn():
    with pytest.raises(ComponentInputError, match="not a Kinesis stream ARN"):
        flink_property_groups("tp-dev-events", "us-east-1", ["tp-events"], "tp-rejects", BUCKET)


def test_several_enriched_streams_are_named_by_index_with_their_count():
    groups = flink_property_groups(
        STREAM, "us-east-1", ["tp-events", "tp-events-1", "tp-events-2"], "tp-rejects", BUCKET
    )
    assert groups["EnrichedSink"] == {
        "delivery.stream.name": "tp-events",
        "delivery.stream.name.1": "tp-events-1",
        "delivery.stream.name.2": "tp-events-2",
        "delivery.stream.count": "3",
        "aws.region": "us-east-1",
    }


def test_the_enriched_streams_fit_one_property_group():
    assert (
        len(flink_property_groups(STREAM, "us-east-1", [f"s{n}" for n in range(48)], "r", BUCKET)["EnrichedSink"]) == 50
    )
    with pytest.raises(ComponentInputError, match="takes 1-48 enriched delivery streams, got 49"):
        flink_property_groups(STREAM, "us-east-1", [f"s{n}" for n in range(49)], "r", BUCKET)
    with pytest.raises(ComponentInputError, match="got 0"):
        flink_property_groups(STREAM, "us-east-1", [], "r", BUCKET)
    with pytest.raises(ComponentInputError, match="enriched delivery stream 1"):
        flink_property_groups(STREAM, "us-east-1", ["a", ""], "r", BUCKET)
