"""The front door answers as the declared API Gateway method: authorizer, usage plan, validator, template."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from components.ingestion.event_model import EVENT_SCHEMA, MAX_BODY_DEPTH
from components.ingestion.mapping_template import put_record_template
from local.sandbox.front_door import FrontDoor, kinesis_put_record
from local.sandbox.throttle import Throttler, UsagePlanLimits

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/events"
KEY = "acme-key"


def policy(effect: str = "Allow", key: str = KEY) -> dict[str, Any]:
    return {
        "principalId": "user-sub",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": effect,
                    "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*/*"],
                }
            ],
        },
        "context": {"tenantId": "acme", "tier": "premium"},
        "usageIdentifierKey": key,
    }


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: dict[str, Any]) -> None:
        self.requests.append(request)


def door(authorize: Any, records: Recorder, burst: int = 10) -> FrontDoor:
    return FrontDoor(
        method_arn=METHOD_ARN,
        authorize=authorize,
        limits_by_key={KEY: UsagePlanLimits(rate_limit=0.001, burst_limit=burst, quota_per_day=1000)},
        request_schema=EVENT_SCHEMA,
        mapping_template=put_record_template("events"),
        put_record=records,
        throttler=Throttler(),
    )


def refuse(event: dict[str, Any]) -> dict[str, Any]:
    raise Exception("Unauthorized")


def test_the_partition_key_and_envelope_come_from_the_authorizer_never_the_body() -> None:
    records = Recorder()
    answer = door(lambda event: policy(), records).handle("Bearer t", json.dumps({"tenantId": "globex", "n": 1}))
    assert answer.status == 200 and answer.body["requestId"]
    (request,) = records.requests
    assert request["StreamName"] == "events" and request["PartitionKey"] == "acme"
    record = json.loads(base64.b64decode(request["Data"]))
    assert record["tenantId"] == "acme" and record["tier"] == "premium"
    assert record["payload"] == {"tenantId": "globex", "n": 1}
    assert record["requestId"] == answer.body["requestId"]


@pytest.mark.parametrize(
    ("authorize", "authorization", "status"),
    [
        (lambda event: policy(), None, 401),
        (refuse, "Bearer forged", 401),
        (lambda event: policy("Deny"), "Bearer t", 403),
        (lambda event: policy(key="no-plan"), "Bearer t", 403),
    ],
)
def test_refusals_before_the_body_is_read(authorize: Any, authorization: str | None, status: int) -> None:
    records = Recorder()
    assert door(authorize, records).handle(authorization, "{}").status == status
    assert records.requests == []


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', ""])
def test_the_request_model_refuses_bodies_that_are_not_objects(body: str) -> None:
    records = Recorder()
    answer = door(lambda event: policy(), records).handle("Bearer t", body)
    assert answer.status == 400 and answer.body["message"] == "Invalid request body"
    assert records.requests == []


@pytest.mark.parametrize(
    "body",
    ['{"a":' * 3000 + "1" + "}" * 3000, "[" * 5000, '{"a":' * (MAX_BODY_DEPTH + 1) + "1" + "}" * (MAX_BODY_DEPTH + 1)],
)
def test_deep_bodies_are_refused_before_parsing(body: str) -> None:
    records = Recorder()
    answer = door(lambda event: policy(), records).handle("Bearer t", body)
    assert answer.status == 400 and answer.body["message"] == "Invalid request body"
    assert "nested more than" in answer.body["detail"]
    assert records.requests == []


def test_a_body_nested_to_the_limit_is_accepted() -> None:
    records = Recorder()
    depth = MAX_BODY_DEPTH - 1  # objects inside the body's own braces
    answer = door(lambda event: policy(), records).handle("Bearer t", '{"a":' * depth + "{}" + "}" * depth)
    assert answer.status == 200 and len(records.requests) == 1


def test_over_the_burst_the_answer_is_429_and_nothing_is_written() -> None:
    records = Recorder()
    front = door(lambda event: policy(), records, burst=3)
    statuses = [front.handle("Bearer t", "{}").status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(records.requests) == 3


def test_put_record_sends_the_blob_not_its_base64() -> None:
    sent: list[dict[str, Any]] = []

    class Kinesis:
        def put_record(self, **request: Any) -> None:
            sent.append(request)

    kinesis_put_record(Kinesis())(
        {"StreamName": "s", "PartitionKey": "acme", "Data": base64.b64encode(b'{"a":1}').decode()}
    )
    assert sent == [{"StreamName": "s", "PartitionKey": "acme", "Data": b'{"a":1}'}]
