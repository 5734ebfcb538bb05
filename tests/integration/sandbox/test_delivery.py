"""Delivery applies the declared JQ partitioning and prefixes, landing objects in moto's S3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.ingestion.firehose_partitioning import (
    EVENTS_ERROR_PREFIX,
    EVENTS_PREFIX,
    METADATA_EXTRACTION_QUERY,
)
from functions.flink.attribution import attribute
from local.sandbox.declared import DeliveryStream
from local.sandbox.delivery import deliver
from local.sandbox.ledger import DIRECT_PRODUCER, reject_owner
from local.sandbox.local_cloud import aws_client
from local.services.moto_server import MotoServer

pytestmark = pytest.mark.moto
EVENTS = DeliveryStream("events", EVENTS_PREFIX, EVENTS_ERROR_PREFIX, METADATA_EXTRACTION_QUERY, append_newline=True)
NOV_23_2026 = 1795430400000  # 2026-11-23T08:00:00Z


@pytest.fixture
def s3(moto_server: MotoServer) -> Any:
    client = aws_client("s3", moto_server.endpoint, "us-east-1")
    client.create_bucket(Bucket="delivery-test")
    return client


def record(tenant: str | None, timestamp: int = NOV_23_2026) -> bytes:
    body: dict[str, Any] = {"tier": "basic", "payload": {}, "timestamp": timestamp}
    if tenant:
        body["tenantId"] = tenant
    return json.dumps(body).encode()


def test_records_land_under_their_tenant_and_event_date(s3: Any) -> None:
    delivered = deliver(EVENTS, [record("acme"), record("acme"), record("hooli")], s3, "delivery-test")
    by_prefix = {key.rsplit("/", 1)[0] + "/": count for key, count in delivered.objects.items()}
    assert by_prefix == {
        "tenant=acme/year=2026/month=11/day=23/": 2,
        "tenant=hooli/year=2026/month=11/day=23/": 1,
    }
    for key, count in delivered.objects.items():
        lines = s3.get_object(Bucket="delivery-test", Key=key)["Body"].read().decode().splitlines()
        assert len(lines) == count and all(json.loads(line)["tenantId"] in key for line in lines)


def test_a_record_the_query_cannot_partition_goes_to_the_error_prefix(s3: Any) -> None:
    delivered = deliver(EVENTS, [record(None)], s3, "delivery-test")
    assert delivered.failed == 1
    (key,) = delivered.objects
    assert key.startswith("errors/firehose/events/partitioning-failed/year=")


def _rejected(line: str) -> dict[str, Any]:
    """The job's rejected document for `line`: the record, and the attribution the job gives it."""
    found = attribute(line)
    return {
        "reason": "bad payload",
        "record": line,
        "tenantId": found.tenant if found else None,
        "receivedAt": found.received_at if found else None,
    }


def test_rejects_are_owned_by_the_tenant_only_when_they_came_through_the_front_door() -> None:
    tenants = {"acme"}
    through_door = json.dumps({"tenantId": "acme", "requestId": "r-1", "receivedAt": NOV_23_2026, "payload": 1})
    assert reject_owner(_rejected(through_door), tenants) == "acme"
    # The API stamps receivedAt: a record without it (or naming a tenant not served) was written straight in.
    assert reject_owner(_rejected(json.dumps({"tenantId": "acme"})), tenants) == DIRECT_PRODUCER
    assert reject_owner(_rejected(through_door.replace('"acme"', '"hooli"')), tenants) == DIRECT_PRODUCER
    assert reject_owner(_rejected("not json"), tenants) == DIRECT_PRODUCER


def test_a_record_deeper_than_jq_16_parses_goes_to_the_error_prefix(s3: Any) -> None:
    """Firehose's engine is JQ-1.6 (128 nested objects at most); the jq package bundles 1.8, which reads it."""
    deep = json.loads(record("acme"))
    deep["payload"] = json.loads('{"a":' * 130 + "1" + "}" * 130)
    delivered = deliver(EVENTS, [json.dumps(deep).encode(), record("acme")], s3, "delivery-test")
    assert delivered.failed == 1
    prefixes = sorted(key.rsplit("/", 1)[0] for key in delivered.objects)
    assert prefixes[0].startswith("errors/firehose/events/partitioning-failed/")
    assert prefixes[1] == "tenant=acme/year=2026/month=11/day=23"
