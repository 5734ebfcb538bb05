"""The PutRecord mapping template, rendered by a Velocity engine (airspeed) with API Gateway's variables
(the sandbox's local/sandbox/vtl.py)."""

from __future__ import annotations

import base64
import json
import random
import uuid
from typing import Any

import pytest

from components.errors import ComponentInputError
from components.ingestion.mapping_template import (
    RECORD_FIELDS,
    put_record_template,
    put_record_uri,
)
from local.sandbox import vtl
from local.sandbox.vtl import Request
from tiers.defaults import PREMIUM
from tiers.policy import MAX_PARTITION_KEYS

REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def render(
    template: str, body: str, *, tenant: str = "acme", tier: str = "premium", request_id: str = REQUEST_ID
) -> dict[str, Any]:
    """Rendered by the sandbox's renderer: the one the demo's front door renders the declared template with."""
    context = {
        "authorizer": {"tenantId": tenant, "tier": tier},
        "requestId": request_id,
        "requestTimeEpoch": 1763800000123,
    }
    request: dict[str, Any] = json.loads(vtl.render(template, Request(body=body), context))
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
    assert '"PartitionKey": "$partitionKey"' in template
    assert "#set($partitionKey = $tenantId)" in template
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


def _request_ids(count: int) -> list[str]:
    return [str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4)) for seed in range(count)]


def test_a_tier_with_one_partition_key_keys_by_the_tenant_id_exactly():
    template = put_record_template("s", {"basic": 1, "premium": 4})
    keys = {
        render(template, "{}", tenant="initech", tier="basic", request_id=rid)["PartitionKey"]
        for rid in _request_ids(20)
    }
    assert keys == {"initech"}


def test_a_spread_tier_spreads_its_tenant_over_n_keys_deterministically():
    template = put_record_template("s", {"basic": 1, "premium": 4})
    keys = [render(template, "{}", tenant="acme", request_id=rid)["PartitionKey"] for rid in _request_ids(200)]
    assert set(keys) == {"acme#0", "acme#1", "acme#2", "acme#3"}
    assert min(keys.count(key) for key in set(keys)) > 20  # about 50 each: no key starves
    again = [render(template, "{}", tenant="acme", request_id=rid)["PartitionKey"] for rid in _request_ids(200)]
    assert again == keys
    assert all(record_of(render(template, "{}", request_id=rid))["tenantId"] == "acme" for rid in _request_ids(5))


def test_the_slot_is_the_last_two_hex_digits_of_the_request_id_whatever_their_case():
    template = put_record_template("s", {"premium": 16})
    for digits, slot in (("00", 0), ("0f", 15), ("ff", 15), ("1A", 10), ("1a", 10)):
        request_id = f"c6af9ac6-7b61-11e6-9a41-93e8deadbe{digits}"
        assert render(template, "{}", request_id=request_id)["PartitionKey"] == f"acme#{slot}"
    assert (
        render(put_record_template("s", {"premium": 3}), "{}", request_id=f"{REQUEST_ID[:-2]}ff")["PartitionKey"]
        == "acme#0"
    )  # 255 % 3


@pytest.mark.parametrize("bad", [0, -1, MAX_PARTITION_KEYS + 1, True, 2.0])
def test_spreads_outside_the_range_are_refused_naming_the_tier(bad):
    with pytest.raises(
        ComponentInputError, match=f"tier 'premium': partition keys must be a whole number 1..{MAX_PARTITION_KEYS}"
    ):
        put_record_template("s", {"premium": bad})


def test_tier_names_that_would_break_the_template_are_refused():
    with pytest.raises(ComponentInputError, match="not a tier name"):
        put_record_template("s", {'x")#end': 2})


def test_the_declared_template_spreads_premium_and_keeps_basic_on_its_tenant_id(dev):
    declared = dev.one("aws:apigateway/integration:Integration", "put-record").inputs["requestTemplates"][
        "application/json"
    ]
    basic = {
        render(declared, "{}", tenant="initech", tier="basic", request_id=rid)["PartitionKey"]
        for rid in _request_ids(50)
    }
    premium = {
        render(declared, "{}", tenant="acme", tier="premium", request_id=rid)["PartitionKey"]
        for rid in _request_ids(50)
    }
    assert basic == {"initech"}
    assert premium == {f"acme#{n}" for n in range(PREMIUM.partition_keys)}
