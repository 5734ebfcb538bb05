"""The front door answers as the declared API Gateway methods: authorizer, usage plan, validator, template,
Kinesis' answer mapped by the declared integration responses, CORS preflight and gateway responses."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from components.ingestion.api_responses import gateway_responses, preflight_response, put_record_responses
from components.ingestion.event_model import EVENT_SCHEMA, MAX_BODY_DEPTH
from components.ingestion.mapping_template import put_record_template
from local.sandbox.front_door import (
    Answer,
    FrontDoor,
    GatewayResponse,
    IntegrationResponse,
    kinesis_put_record,
)
from local.sandbox.throttle import Throttler, UsagePlanLimits

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/events"
KEY = "acme-key"
APP, ADMIN = "https://app.example.com", "https://admin.example.com"
ACCEPTED = (200, json.dumps({"SequenceNumber": "1", "ShardId": "shardId-000000000000"}))


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
    """Kinesis, answering every PutRecord with `answer` (status, body)."""

    def __init__(self, answer: tuple[int, str] = ACCEPTED) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer = answer

    def __call__(self, request: dict[str, Any]) -> tuple[int, str]:
        self.requests.append(request)
        return self.answer


def door(authorize: Any, records: Recorder, burst: int = 10, origins: tuple[str, ...] = (APP, ADMIN)) -> FrontDoor:
    """The front door serving what the ingest API component declares for `origins`."""
    preflight = preflight_response(origins)
    return FrontDoor(
        method_arn=METHOD_ARN,
        authorize=authorize,
        limits_by_key={KEY: UsagePlanLimits(rate_limit=0.001, burst_limit=burst, quota_per_day=1000)},
        request_schema=EVENT_SCHEMA,
        mapping_template=put_record_template("events"),
        put_record=records,
        throttler=Throttler(),
        responses=tuple(
            IntegrationResponse(r.status, r.selection_pattern, r.template, r.headers)
            for r in put_record_responses(origins)
        ),
        preflight_response=IntegrationResponse(preflight.status, None, preflight.template, preflight.headers)
        if origins
        else None,
        gateway_responses={
            g.response_type: GatewayResponse(
                g.status, {k.removeprefix("gatewayresponse.header."): v for k, v in g.parameters.items()}
            )
            for g in gateway_responses(origins)
        },
    )


def refuse(event: dict[str, Any]) -> dict[str, Any]:
    raise Exception("Unauthorized")


def test_the_partition_key_and_envelope_come_from_the_authorizer_never_the_body() -> None:
    records = Recorder()
    answer = door(lambda event: policy(), records).handle("Bearer t", json.dumps({"tenantId": "globex", "n": 1}))
    assert answer.status == 200 and answer.body is not None and answer.body["requestId"]
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
    assert answer.status == 400 and answer.body is not None and answer.body["message"] == "Invalid request body"
    assert records.requests == []


@pytest.mark.parametrize(
    "body",
    ['{"a":' * 3000 + "1" + "}" * 3000, "[" * 5000, '{"a":' * (MAX_BODY_DEPTH + 1) + "1" + "}" * (MAX_BODY_DEPTH + 1)],
)
def test_deep_bodies_are_refused_before_parsing(body: str) -> None:
    records = Recorder()
    answer = door(lambda event: policy(), records).handle("Bearer t", body)
    assert answer.status == 400 and answer.body is not None and answer.body["message"] == "Invalid request body"
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
        def put_records(self, **request: Any) -> dict[str, Any]:
            sent.append(request)
            return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "7", "ShardId": "shardId-000000000000"}]}

    answer = kinesis_put_record(Kinesis())(
        {"StreamName": "s", "PartitionKey": "acme", "Data": base64.b64encode(b'{"a":1}').decode()}
    )
    assert sent == [{"StreamName": "s", "Records": [{"PartitionKey": "acme", "Data": b'{"a":1}'}]}]
    assert answer == (200, json.dumps({"SequenceNumber": "7", "ShardId": "shardId-000000000000"}))


class FailingKinesis:
    """PutRecords answering as Kinesis does: an error for the whole call, or one failed record."""

    def __init__(self, error: ClientError | None = None, failed: dict[str, str] | None = None):
        self.error, self.failed = error, failed

    def put_records(self, **request: Any) -> dict[str, Any]:
        if self.error:
            raise self.error
        return {"FailedRecordCount": 1, "Records": [self.failed]}


def client_error(status: int, code: str, message: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutRecords"
    )


PUT = {"StreamName": "s", "PartitionKey": "acme", "Data": base64.b64encode(b"{}").decode()}


def test_kinesis_errors_reach_the_integration_as_status_and_typed_body() -> None:
    too_large = "1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint"
    assert kinesis_put_record(FailingKinesis(client_error(400, "ValidationException", too_large)))(PUT) == (
        400,
        json.dumps({"__type": "ValidationException", "message": too_large}),
    )
    failed = {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}
    assert kinesis_put_record(FailingKinesis(failed=failed))(PUT) == (
        400,
        json.dumps({"__type": "ProvisionedThroughputExceededException", "message": "Rate exceeded for shard"}),
    )


TOO_LARGE = (
    "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048954 cap=1048954]' at 'data' "
    "failed to satisfy constraint: Member must have length less than or equal to 1048576"
)


@pytest.mark.parametrize(
    ("kinesis", "status", "retry"),
    [
        ((400, {"__type": "ProvisionedThroughputExceededException", "message": "Rate exceeded for shard"}), 429, True),
        ((400, {"__type": "KMSThrottlingException", "message": "Rate exceeded"}), 429, True),
        ((400, {"__type": "ValidationException", "message": TOO_LARGE}), 413, False),
        ((400, {"__type": "InvalidArgumentException", "message": "bad partition key"}), 400, False),
        ((400, {"__type": "KMSAccessDeniedException", "message": "denied"}), 500, True),
        ((500, {"__type": "InternalFailure", "message": "internal"}), 500, True),
    ],
)
def test_kinesis_errors_are_answered_retry_or_never_retry(
    kinesis: tuple[int, dict[str, str]], status: int, retry: bool
) -> None:
    records = Recorder((kinesis[0], json.dumps(kinesis[1])))
    answer = door(lambda event: policy(), records).handle("Bearer t", "{}", {"Origin": APP})
    assert answer.status == status
    assert answer.body is not None and set(answer.body) == {"message", "requestId"}
    assert kinesis[1]["message"] not in json.dumps(answer.body)  # Kinesis' answer is never echoed
    assert ("do not retry" not in answer.body["message"]) is retry
    assert ("Retry-After" in answer.headers) is (status == 429)
    assert answer.headers["Access-Control-Allow-Origin"] == APP


def cors_headers(answer: Answer) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name.startswith("Access-Control-")}


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"Origin": APP}, APP),
        ({"origin": ADMIN}, ADMIN),  # HTTP/2 clients send lower-case header names
        ({"Origin": "https://evil.example.com"}, None),
        ({}, None),
    ],
)
def test_the_accepted_answer_allows_only_the_configured_origin_it_came_from(
    headers: dict[str, str], allowed: str | None
) -> None:
    answer = door(lambda event: policy(), Recorder()).handle("Bearer t", "{}", headers)
    assert answer.status == 200
    assert answer.headers.get("Access-Control-Allow-Origin") == allowed
    assert answer.headers["Vary"] == "Origin"


def test_the_preflight_answers_the_configured_origins_with_the_allowed_method_and_headers() -> None:
    front = door(lambda event: policy(), Recorder())
    answer = front.preflight({"Origin": ADMIN, "Access-Control-Request-Method": "POST"})
    assert (answer.status, answer.body) == (204, None)
    assert cors_headers(answer) == {
        "Access-Control-Allow-Origin": ADMIN,
        "Access-Control-Allow-Methods": "POST,OPTIONS",
        "Access-Control-Allow-Headers": "Authorization,Content-Type",
        "Access-Control-Max-Age": "7200",
    }
    assert "Access-Control-Allow-Origin" not in front.preflight({"Origin": "https://evil.example.com"}).headers


def test_without_origins_there_is_no_preflight_and_no_cors_header() -> None:
    front = door(lambda event: policy(), Recorder(), origins=())
    assert front.preflight({"Origin": APP}).status == 403
    answer = front.handle("Bearer t", "{}", {"Origin": APP})
    assert answer.status == 200 and answer.headers == {}


@pytest.mark.parametrize(("origins", "sent", "allowed"), [((APP,), ADMIN, APP), ((APP, ADMIN), ADMIN, ADMIN)])
def test_api_gateways_own_errors_carry_the_cors_header(origins: tuple[str, ...], sent: str, allowed: str) -> None:
    records = Recorder()
    front = door(lambda event: policy(), records, burst=1, origins=origins)
    assert front.handle(None, "{}", {"Origin": sent}).headers["Access-Control-Allow-Origin"] == allowed
    assert front.handle("Bearer t", "[1]", {"Origin": sent}).headers["Access-Control-Allow-Origin"] == allowed
    front.handle("Bearer t", "{}", {"Origin": sent})
    throttled = front.handle("Bearer t", "{}", {"Origin": sent})
    assert throttled.status == 429
    assert throttled.headers["Access-Control-Allow-Origin"] == allowed
    assert throttled.headers["Retry-After"] == "1"
