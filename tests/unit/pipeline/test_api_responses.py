"""What POST /events answers after Kinesis, and its CORS preflight, as the stack declares them.

The declared templates are rendered with the sandbox's Velocity renderer (local/sandbox/vtl.py) over
Kinesis' error bodies, and selected as API Gateway selects an AWS integration's response: by the
selection pattern against Kinesis' HTTP status.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.errors import ComponentInputError
from components.ingestion.cors import allow_origin_override, gateway_response_parameters
from local.sandbox.front_door import IntegrationResponse, integration_answer, select_response, static_headers
from tests.support.declared import DeclaredPipeline, run

APIGW = "aws:apigateway"
APP, ADMIN = "https://app.example.com", "https://admin.example.com"  # Pulumi.dev.yaml's corsOrigins
TOO_LARGE = (
    "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048954 cap=1048954]' at 'data' "
    "failed to satisfy constraint: Member must have length less than or equal to 1048576"
)
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def ingest(**settings: Any) -> dict[str, Any]:
    return {"tenant-pipeline:ingest": {"stream": {"mode": "ON_DEMAND"}, **settings}}


@pytest.fixture(scope="module")
def no_cors() -> DeclaredPipeline:
    return run("dev", **ingest())


@pytest.fixture(scope="module")
def one_origin() -> DeclaredPipeline:
    return run("dev", **ingest(corsOrigins=[APP]))


def method(pipeline: DeclaredPipeline, http_method: str) -> Any:
    (declared,) = [m for m in pipeline.all(f"{APIGW}/method:Method") if m.inputs["httpMethod"] == http_method]
    return declared


def declared_responses(pipeline: DeclaredPipeline, http_method: str) -> tuple[IntegrationResponse, ...]:
    return tuple(
        IntegrationResponse(
            r.inputs["statusCode"],
            r.inputs.get("selectionPattern") or None,
            r.inputs["responseTemplates"]["application/json"],
            static_headers(r.inputs.get("responseParameters")),
        )
        for r in pipeline.all(f"{APIGW}/integrationResponse:IntegrationResponse")
        if r.inputs["httpMethod"] == http_method
    )


def answer(pipeline: DeclaredPipeline, kinesis_status: int, kinesis_body: dict[str, Any], origin: str = APP) -> Any:
    response = select_response(declared_responses(pipeline, "POST"), kinesis_status)
    return integration_answer(response, json.dumps(kinesis_body), {"Origin": origin}, REQUEST_ID)


@pytest.mark.parametrize(
    ("kinesis_status", "kinesis_body", "status"),
    [
        (400, {"__type": "ProvisionedThroughputExceededException", "message": "Rate exceeded for shard 0"}, 429),
        (400, {"__type": "KMSThrottlingException", "message": "Rate exceeded"}, 429),
        (400, {"__type": "LimitExceededException", "message": "too many requests"}, 429),
        (400, {"__type": "ValidationException", "message": TOO_LARGE}, 413),
        (400, {"__type": "com.amazon.coral.validate#ValidationException", "Message": TOO_LARGE}, 413),
        (400, {"__type": "ValidationException", "message": "at 'partitionKey' failed to satisfy constraint"}, 400),
        (400, {"__type": "InvalidArgumentException", "message": "Invalid partition key"}, 400),
        (400, {"__type": "SerializationException", "message": "Start of structure or map found"}, 400),
        (400, {"__type": "KMSAccessDeniedException", "message": "User is not authorized"}, 500),
        (400, {"__type": "KMSDisabledException", "message": "key is disabled"}, 500),
        (400, {"__type": "KMSInvalidStateException", "message": "pending deletion"}, 500),
        (400, {"__type": "KMSNotFoundException", "message": "no such key"}, 500),
        (400, {"__type": "AccessDeniedException", "message": "not authorized to perform kinesis:PutRecord"}, 500),
        (400, {"__type": "ResourceNotFoundException", "message": "Stream events not found"}, 500),
        (400, {}, 500),
        (500, {"__type": "InternalFailure", "message": "internal"}, 500),
        (503, {"__type": "ServiceUnavailable", "message": "unavailable"}, 500),
    ],
)
def test_each_kinesis_error_gets_the_status_that_says_whether_to_retry(dev, kinesis_status, kinesis_body, status):
    answered = answer(dev, kinesis_status, kinesis_body)
    assert answered.status == status
    assert answered.body == {"message": answered.body["message"], "requestId": REQUEST_ID}
    for detail in kinesis_body.values():  # neither Kinesis' error type nor its message reaches the tenant
        assert detail not in answered.body["message"]
    message = answered.body["message"]
    assert ("do not retry" in message) is (status in {400, 413})
    assert ("retry" in message) is True
    assert answered.headers.get("Retry-After") == ("1" if status == 429 else None)
    assert answered.headers["Access-Control-Allow-Origin"] == APP
    assert answered.headers["Vary"] == "Origin"


def test_success_answers_the_request_id_only(dev):
    answered = answer(dev, 200, {"SequenceNumber": "4959", "ShardId": "shardId-000000000000"}, origin=ADMIN)
    assert (answered.status, answered.body) == (200, {"requestId": REQUEST_ID})
    assert answered.headers == {"Access-Control-Allow-Origin": ADMIN, "Vary": "Origin"}


def test_the_selection_patterns_match_kinesis_status_codes(dev):
    responses = declared_responses(dev, "POST")
    assert [select_response(responses, code).status for code in (200, 400, 403, 413, 429, 500, 503)] == [
        "200",
        "400",
        "400",
        "400",
        "400",
        "500",
        "500",
    ]


def test_every_status_the_templates_answer_is_a_declared_method_response(dev):
    declared = {
        r.inputs["statusCode"]: r.inputs.get("responseParameters", {})
        for r in dev.all(f"{APIGW}/methodResponse:MethodResponse")
        if r.inputs["httpMethod"] == "POST"
    }
    assert set(declared) == {"200", "400", "413", "429", "500"}
    for parameters in declared.values():
        assert set(parameters) == {
            "method.response.header.Retry-After",
            "method.response.header.Access-Control-Allow-Origin",
            "method.response.header.Vary",
        }


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"Origin": APP}, APP),
        ({"origin": ADMIN}, ADMIN),
        ({"Origin": "https://app.example.com.evil.example"}, None),
        ({"Origin": "https://evil.example.com"}, None),
        ({"Origin": "null"}, None),
        ({}, None),
    ],
)
def test_the_preflight_allows_each_configured_origin_and_no_other(dev, headers, allowed):
    options = method(dev, "OPTIONS")
    assert (options.inputs["authorization"], options.inputs.get("apiKeyRequired", False)) == ("NONE", False)
    (integration,) = [i for i in dev.all(f"{APIGW}/integration:Integration") if i.inputs["httpMethod"] == "OPTIONS"]
    assert integration.inputs["type"] == "MOCK"
    assert json.loads(integration.inputs["requestTemplates"]["application/json"]) == {"statusCode": 200}
    (preflight,) = declared_responses(dev, "OPTIONS")
    answered = integration_answer(preflight, "", headers, REQUEST_ID)
    assert (answered.status, answered.body) == (204, None)
    assert answered.headers.get("Access-Control-Allow-Origin") == allowed
    assert {k: v for k, v in answered.headers.items() if k != "Access-Control-Allow-Origin"} == {
        "Access-Control-Allow-Methods": "POST,OPTIONS",
        "Access-Control-Allow-Headers": "Authorization,Content-Type",
        "Access-Control-Max-Age": "7200",
        "Vary": "Origin",
    }


def gateway(pipeline: DeclaredPipeline) -> dict[str, dict[str, Any]]:
    return {r.inputs["responseType"]: r.inputs for r in pipeline.all(f"{APIGW}/response:Response")}


def test_api_gateways_own_errors_carry_cors_and_the_usage_plans_429_says_when_to_retry(dev, one_origin):
    several = gateway(dev)
    assert set(several) == {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"}
    for declared in several.values():
        assert declared["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "method.request.header.Origin"  # no VTL in gateway responses: see components/ingestion/cors.py
        )
        assert declared["responseParameters"]["gatewayresponse.header.Vary"] == "'Origin'"
        assert declared["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}
    assert several["THROTTLED"]["statusCode"] == "429"
    assert several["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
    for declared in gateway(one_origin).values():
        assert declared["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{APP}'"


def test_without_origins_the_stack_declares_no_cors(no_cors):
    assert [m.inputs["httpMethod"] for m in no_cors.all(f"{APIGW}/method:Method")] == ["POST"]
    assert gateway(no_cors) == {
        "THROTTLED": {
            "responseType": "THROTTLED",
            "restApiId": gateway(no_cors)["THROTTLED"]["restApiId"],
            "statusCode": "429",
            "responseParameters": {"gatewayresponse.header.Retry-After": "'1'"},
            "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
        }
    }
    throttled = answer(no_cors, 400, {"__type": "ProvisionedThroughputExceededException"})
    assert (throttled.status, throttled.headers) == (429, {"Retry-After": "1"})


def test_the_component_refuses_origins_that_would_break_its_templates():
    with pytest.raises(ComponentInputError, match="is not an https origin"):
        allow_origin_override(['https://a.example.com") || true || ("'])
    with pytest.raises(ComponentInputError, match="'\\*' is not allowed"):
        gateway_response_parameters(["*"])
