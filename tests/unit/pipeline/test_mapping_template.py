"""The PutRecord mapping template, rendered by a Velocity engine (airspeed) with API Gateway's variables.

API Gateway's `$util` and `$input` are given here as API Gateway documents them, for the two
functions and the one path the template uses.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import airspeed
import pytest

from components.errors import ComponentInputError
from components.ingestion.mapping_template import (
    RECORD_FIELDS,
    put_record_template,
    put_record_uri,
)


class Util:
    def escapeJavaScript(self, value):  # noqa: N802 - API Gateway's name
        return json.dumps(str(value))[1:-1]

    def base64Encode(self, value):  # noqa: N802
        return base64.b64encode(str(value).encode()).decode()


class Input:
    def __init__(self, body: str):
        self.body = body

    def json(self, path):
        assert path == "$", "the template only ever takes the whole body"
        return json.dumps(json.loads(self.body))


def render(template: str, body: str, *, tenant: str = "acme", tier: str = "premium") -> dict[str, Any]:
    context = {
        "authorizer": {"tenantId": tenant, "tier": tier},
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "requestTimeEpoch": 1763800000123,
    }
    rendered = airspeed.Template(template).merge({"context": context, "util": Util(), "input": Input(body)})
    request: dict[str, Any] = json.loads(rendered)
    return request


def record_of(request: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(base64.b64decode(request["Data"]))
    return record


def test_put_record_request_carries_the_design_record():
    request = render(put_record_template("tp-dev-events"), '{"type": "click", "n": 1}')
    assert request["StreamName"] == "tp-dev-events"
    record = record_of(request)
    assert tuple(record) == RECORD_FIELDS
    assert record == {
        "tenantId": "acme",
        "tier": "premium",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "receivedAt": 1763800000123,
        "payload": {"type": "click", "n": 1},
    }


def test_partition_key_and_tenant_come_from_the_authorizer_never_from_the_body():
    body = json.dumps({"tenantId": "globex", "tier": "premium", "PartitionKey": "globex"})
    request = render(put_record_template("tp-dev-events"), body, tenant="initech", tier="basic")
    assert request["PartitionKey"] == "initech"
    record = record_of(request)
    assert (record["tenantId"], record["tier"]) == ("initech", "basic")
    assert record["payload"] == {"tenantId": "globex", "tier": "premium", "PartitionKey": "globex"}


def test_payload_with_quotes_unicode_and_nesting_survives_intact():
    payload = {"text": 'say "hi" \\ bye', "emoji": "\u00e9\u4e2d", "nested": {"list": [1, None, True]}}
    record = record_of(render(put_record_template("s"), json.dumps(payload)))
    assert record["payload"] == payload


def test_the_template_reads_tenant_attributes_only_from_the_authorizer_context():
    template = put_record_template("s")
    assert "$context.authorizer.tenantId" in template
    assert '"PartitionKey": "$tenantId"' in template
    assert "$input.path" not in template  # nothing from the body is ever picked out by name


@pytest.mark.parametrize("bad", ["", 'x", "Data": "', "a" * 129, "events stream"])
def test_stream_names_that_would_break_the_template_are_refused(bad):
    with pytest.raises(ComponentInputError, match="not a Kinesis stream name"):
        put_record_template(bad)


def test_integration_uri_is_kinesis_put_record_in_the_region():
    assert put_record_uri("eu-central-1") == "arn:aws:apigateway:eu-central-1:kinesis:action/PutRecord"
    with pytest.raises(ComponentInputError, match="not an AWS region"):
        put_record_uri("kinesis")


def test_the_declared_integration_template_keys_records_by_the_authorizers_tenant(dev):
    """The template as the stack declares it: a body claiming another tenant changes nothing but payload."""
    integration = dev.one("aws:apigateway/integration:Integration", "put-record")
    declared = integration.inputs["requestTemplates"]["application/json"]
    stream = dev.one("aws:kinesis/stream:Stream").inputs["name"]
    body = json.dumps({"tenantId": "acme", "tier": "premium", "PartitionKey": "acme", "StreamName": "x"})
    request = render(declared, body, tenant="hooli", tier="basic")
    assert request["StreamName"] == stream
    assert request["PartitionKey"] == "hooli"
    record = record_of(request)
    assert (record["tenantId"], record["tier"]) == ("hooli", "basic")
    assert record["payload"]["tenantId"] == "acme"  # data, never trusted
