"""The stage serves what is declared: the deployment's trigger covers every argument a deployment snapshots."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from components.ingestion.api_snapshot import deployment_fingerprint
from tests.support.declared import DeclaredPipeline, run

APIGW = "aws:apigateway"
# The API resources a REST API deployment freezes.
SNAPSHOT_TYPES = {
    f"{APIGW}/resource:Resource",
    f"{APIGW}/model:Model",
    f"{APIGW}/requestValidator:RequestValidator",
    f"{APIGW}/authorizer:Authorizer",
    f"{APIGW}/method:Method",
    f"{APIGW}/integration:Integration",
    f"{APIGW}/methodResponse:MethodResponse",
    f"{APIGW}/integrationResponse:IntegrationResponse",
    f"{APIGW}/response:Response",  # gateway responses
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def declared_snapshot(pipeline: DeclaredPipeline) -> dict[str, dict[str, Any]]:
    """{logical name: arguments} of the declared API resources, as the engine received them."""
    return {
        resource.name: {_snake(key): value for key, value in resource.inputs.items()}
        for resource in pipeline.declaration.resources
        if resource.type in SNAPSHOT_TYPES
    }


def _trigger(pipeline: DeclaredPipeline) -> str:
    return str(pipeline.one(f"{APIGW}/deployment:Deployment").inputs["triggers"]["redeployment"])


def test_the_trigger_fingerprints_every_argument_of_every_snapshotted_resource(dev):
    snapshot = declared_snapshot(dev)
    assert len(snapshot) >= 8
    assert _trigger(dev) == deployment_fingerprint(snapshot)


def _named(snapshot: dict[str, dict[str, Any]], suffix: str) -> dict[str, Any]:
    (name,) = [name for name in snapshot if name.endswith(suffix) and not name.endswith(f"-integration{suffix}")]
    return snapshot[name]


Snapshot = dict[str, dict[str, Any]]
CHANGES: dict[str, Callable[[Snapshot], None]] = {
    "authorizer TTL": lambda s: _named(s, "-authorizer").update(authorizer_result_ttl_in_seconds=0),
    "authorizer identity source": lambda s: _named(s, "-authorizer").update(identity_source="method.request.header.X"),
    "apiKeyRequired": lambda s: _named(s, "-post-events").update(api_key_required=False),
    "integration parameters": lambda s: _named(s, "-put-record")["request_parameters"].update(
        {"integration.request.header.X-Amz-Target": "'Kinesis_20131202.PutRecord'"}
    ),
    "integration template": lambda s: _named(s, "-put-record")["request_templates"].update({"application/json": "{}"}),
    "integration response template": lambda s: _named(s, "-integration-response-200")["response_templates"].update(
        {"application/json": "{}"}
    ),
    "integration response selection pattern": lambda s: _named(s, "-integration-response-500").update(
        selection_pattern="[45]\\d{2}"
    ),
    "method response models": lambda s: _named(s, "-response-200").update(response_models={}),
    "request model schema": lambda s: _named(s, "-event-model").update(schema="{}"),
    "validator": lambda s: _named(s, "-validator").update(validate_request_body=False),
    "error mapping template": lambda s: _named(s, "-integration-response-400")["response_templates"].update(
        {"application/json": "{}"}
    ),
    "CORS origins of the preflight": lambda s: _named(s, "-preflight-integration-response-204")[
        "response_templates"
    ].update({"application/json": "{}"}),
    "preflight headers": lambda s: _named(s, "-preflight-integration-response-204")["response_parameters"].update(
        {"method.response.header.Access-Control-Max-Age": "'1'"}
    ),
    "OPTIONS method": lambda s: _named(s, "-options-events").update(authorization="CUSTOM"),
    "gateway response headers": lambda s: _named(s, "-gateway-response-default-4xx")["response_parameters"].clear(),
    "usage plan Retry-After": lambda s: _named(s, "-gateway-response-throttled")["response_parameters"].update(
        {"gatewayresponse.header.Retry-After": "'60'"}
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_change_a_deployment_snapshots_changes_the_fingerprint(dev, change):
    snapshot = declared_snapshot(dev)
    changed = copy.deepcopy(snapshot)
    CHANGES[change](changed)
    assert changed != snapshot
    assert deployment_fingerprint(changed) != deployment_fingerprint(snapshot)


def test_the_fingerprint_is_canonical_and_refuses_what_is_not_json():
    assert deployment_fingerprint({"a": {"ttl": 300, "x": None}}) == deployment_fingerprint({"a": {"ttl": 300.0}})
    with pytest.raises(TypeError, match="JSON values"):
        deployment_fingerprint({"a": {"v": object()}})
    with pytest.raises(ValueError, match="at least one"):
        deployment_fingerprint({})


def test_changing_a_tiers_partition_keys_redeploys_the_stage(dev):
    """The spread is written into the PutRecord template, so a new spread is a new deployment."""
    tiers = {**dev.config_value("tenant-pipeline:tiers"), "premium": {"partitionKeys": 8}}
    respread = run("dev", **{"tenant-pipeline:tiers": tiers})
    template = respread.one(f"{APIGW}/integration:Integration", "put-record").inputs["requestTemplates"]
    assert "#set($spread = 8)" in template["application/json"]
    assert _trigger(respread) != _trigger(dev)
