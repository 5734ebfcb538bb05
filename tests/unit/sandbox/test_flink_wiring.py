"""How the sandbox hands the declared Flink application to the local job and reads its sinks back."""

from __future__ import annotations

import json

import pytest

from local.sandbox.firehose_buffer import split_records
from local.sandbox.flink_stage import local_property_groups

DECLARED = {
    "kinesis.analytics.flink.run.options": {"python": "main.py", "jarfile": "lib/flink-connectors.jar"},
    "KinesisSource": {"stream.arn": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "aws.region": "us-east-1"},
    "EnrichedSink": {"delivery.stream.name": "events", "aws.region": "us-east-1"},
    "RejectedSink": {"delivery.stream.name": "rejects", "aws.region": "us-east-1"},
}


def test_only_the_emulator_endpoint_and_credentials_are_added() -> None:
    local = local_property_groups(DECLARED, "http://127.0.0.1:5000")
    assert local["kinesis.analytics.flink.run.options"] == DECLARED["kinesis.analytics.flink.run.options"]
    for group in ("KinesisSource", "EnrichedSink", "RejectedSink"):
        added = {key: value for key, value in local[group].items() if key not in DECLARED[group]}
        assert {key: local[group][key] for key in DECLARED[group]} == DECLARED[group]
        assert added["aws.endpoint"] == "http://127.0.0.1:5000"
        assert set(added) == {
            "aws.endpoint",
            "aws.credentials.provider",
            "aws.credentials.basic.accesskeyid",
            "aws.credentials.basic.secretkey",
        }


def test_concatenated_records_split_back_exactly() -> None:
    records = [{"tenantId": "acme", "payload": {"text": 'braces }{ and a quote " in a string'}}, {"tenantId": "hooli"}]
    body = "".join(json.dumps(record) for record in records).encode()
    assert [json.loads(part) for part in split_records(body)] == records
    assert split_records(b"") == []


def test_a_truncated_object_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(json.JSONDecodeError):
        split_records(b'{"tenantId": "acme"}{"tenantId": ')
