"""The demo's routing check: each tenant's enriched events through its own delivery stream only."""

from __future__ import annotations

import json

from functions.contracts.delivery_routing import delivery_stream_index
from local.sandbox.routing import expected_stream, misrouted, streams_by_tenant

STREAMS = ("tp-dev-delivery-events", "tp-dev-delivery-events-1")
TENANTS = ("acme", "globex", "initech", "umbrella-labs", "hooli")


def record(tenant: str) -> bytes:
    return json.dumps({"tenantId": tenant, "payload": {}}).encode()


def test_each_tenant_is_expected_on_the_declared_stream_the_rule_picks() -> None:
    for tenant in TENANTS:
        assert expected_stream(tenant, STREAMS) == STREAMS[delivery_stream_index(tenant, 2)]
    assert {expected_stream(tenant, STREAMS) for tenant in TENANTS} == set(STREAMS)  # the dev roster uses both


def test_a_tenant_on_its_own_stream_holds_and_any_other_stream_is_reported() -> None:
    own = {stream: [record(t) for t in TENANTS if expected_stream(t, STREAMS) == stream] for stream in STREAMS}
    routing = streams_by_tenant(own)
    assert misrouted(routing, STREAMS) == {}
    wrong = STREAMS[1 - STREAMS.index(expected_stream("acme", STREAMS))]
    leaked = {**own, wrong: [*own[wrong], record("acme")]}
    assert misrouted(streams_by_tenant(leaked), STREAMS) == {"acme": tuple(sorted(STREAMS))}
