"""The front door over HTTP, serving the dev stack's declared API against moto's Kinesis: Kinesis' own
refusals (a record over its size limit, a missing stream) reach the client as 413 and 500, and CORS
answers come from the declared preflight and templates."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from components.ingestion.mapping_template import put_record_template
from local.environment import read_environment
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.front_door import FrontDoor, FrontDoorServer, kinesis_put_record
from local.sandbox.local_cloud import aws_client
from local.sandbox.throttle import Throttler, UsagePlanLimits
from local.services.moto_server import MotoServer

pytestmark = pytest.mark.moto
STREAM = "front-door-test"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:local/v1/POST/events"
KEY = "acme-key"
APP = "https://app.example.com"  # one of Pulumi.dev.yaml's corsOrigins
ONE_MIB = 1024 * 1024


@pytest.fixture(scope="module")
def stack() -> DeclaredStack:
    return read_declaration(read_environment("dev").declaration, "us-east-1")


@pytest.fixture(scope="module")
def kinesis(moto_server: MotoServer) -> Any:
    client = aws_client("kinesis", moto_server.endpoint, "us-east-1")
    client.create_stream(StreamName=STREAM, ShardCount=1)
    client.get_waiter("stream_exists").wait(StreamName=STREAM)
    return client


def allow(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "principalId": "user-sub",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [METHOD_ARN]}],
        },
        "context": {"tenantId": "acme", "tier": "premium"},
        "usageIdentifierKey": KEY,
    }


def serve(stack: DeclaredStack, kinesis: Any, stream: str) -> FrontDoorServer:
    door = FrontDoor(
        method_arn=METHOD_ARN,
        authorize=allow,
        limits_by_key={KEY: UsagePlanLimits(rate_limit=100, burst_limit=100, quota_per_day=10_000)},
        request_schema=stack.request_schema,
        mapping_template=put_record_template(stream),
        put_record=kinesis_put_record(kinesis),
        throttler=Throttler(),
        responses=stack.responses,
        preflight_response=stack.preflight_response,
        gateway_responses=stack.gateway_responses,
    )
    return FrontDoorServer(door)


@pytest.fixture
def front_door(stack: DeclaredStack, kinesis: Any) -> Iterator[str]:
    with serve(stack, kinesis, STREAM) as server:
        yield server.url


def call(url: str, method: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, answered, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answered, payload = error.code, dict(error.headers), error.read()
    return status, answered, json.loads(payload) if payload else None


def records_on_stream(kinesis: Any) -> int:
    (shard,) = kinesis.list_shards(StreamName=STREAM)["Shards"]
    iterator = kinesis.get_shard_iterator(
        StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return len(kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"])


def post(url: str, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    body = json.dumps(event).encode()
    return call(url, "POST", {"Authorization": "Bearer t", "Origin": APP, "Content-Type": "application/json"}, body)


def test_an_event_over_kinesis_record_limit_is_answered_413_and_not_written(front_door: str, kinesis: Any) -> None:
    before = records_on_stream(kinesis)
    status, headers, body = post(front_door, {"type": "upload", "blob": "x" * ONE_MIB})
    assert status == 413
    assert set(body) == {"message", "requestId"} and "do not retry" in body["message"]
    assert "1048576" not in body["message"]  # Kinesis' message stays inside
    assert headers["Access-Control-Allow-Origin"] == APP
    assert records_on_stream(kinesis) == before


def test_an_event_within_the_limit_is_written_and_readable_by_its_origin(front_door: str, kinesis: Any) -> None:
    before = records_on_stream(kinesis)
    status, headers, body = post(front_door, {"type": "upload", "blob": "x" * (ONE_MIB // 2)})
    assert status == 200 and set(body) == {"requestId"}
    assert headers["Access-Control-Allow-Origin"] == APP and headers["Vary"] == "Origin"
    assert records_on_stream(kinesis) == before + 1


def test_a_missing_stream_is_our_fault_answered_500_retry_later(stack: DeclaredStack, kinesis: Any) -> None:
    with serve(stack, kinesis, "no-such-stream") as server:
        status, headers, body = post(server.url, {"type": "click"})
    assert status == 500 and body["message"] == "the event could not be accepted: retry later"
    assert headers["Access-Control-Allow-Origin"] == APP


def test_the_preflight_over_http(front_door: str) -> None:
    status, headers, body = call(front_door, "OPTIONS", {"Origin": APP, "Access-Control-Request-Method": "POST"})
    assert (status, body) == (204, None)
    assert headers["Access-Control-Allow-Origin"] == APP
    assert headers["Access-Control-Allow-Methods"] == "POST,OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    status, headers, _ = call(front_door, "OPTIONS", {"Origin": "https://evil.example.com"})
    assert status == 204 and "Access-Control-Allow-Origin" not in headers
