"""The Flink application's property groups: the contract the PyFlink job reads."""

from __future__ import annotations

import pytest

from components.errors import ComponentInputError
from components.ingestion.flink_properties import flink_property_groups

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/tp-dev-events"


def test_property_groups_are_exactly_the_contract():
    assert flink_property_groups(STREAM, "us-east-1", "tp-events", "tp-rejects") == {
        "kinesis.analytics.flink.run.options": {"python": "main.py", "jarfile": "lib/flink-connectors.jar"},
        "KinesisSource": {"stream.arn": STREAM, "aws.region": "us-east-1", "initial.position": "TRIM_HORIZON"},
        "EnrichedSink": {"delivery.stream.name": "tp-events", "aws.region": "us-east-1"},
        "RejectedSink": {"delivery.stream.name": "tp-rejects", "aws.region": "us-east-1"},
    }


def test_missing_names_are_refused():
    with pytest.raises(ComponentInputError, match="rejected delivery stream"):
        flink_property_groups(STREAM, "us-east-1", "tp-events", "")


def test_the_source_must_be_a_stream_arn():
    with pytest.raises(ComponentInputError, match="not a Kinesis stream ARN"):
        flink_property_groups("tp-dev-events", "us-east-1", "tp-events", "tp-rejects")
