"""`make demo JSON=1` (python -m local.sandbox.demo --json): the documented JSON (README "Machine-readable output")."""

from __future__ import annotations

import json

from local.sandbox.demo import DemoResult, result_document
from local.sandbox.ledger import DIRECT_PRODUCER
from local.sandbox.report import IsolationCheck, TenantOutcome
from local.sandbox.tenant_analytics import TenantQueries


def result(allowed_across: bool = False, queried: int = 4) -> DemoResult:
    acme = TenantOutcome(
        "acme",
        "premium",
        sent=7,
        landed=4,
        refused=3,
        s3_prefix="tenant=acme/",
        keyspace="tenant_acme",
        rows={"customers": 3, "orders": 12},
        answers={200: 4, 400: 2, 401: 1},
        delivery_streams=("tp-events-1",),
    )
    direct = TenantOutcome(DIRECT_PRODUCER, "-", sent=4, rejected=4)
    checks = [
        IsolationCheck("acme", "acme", "s3", allowed=True),
        IsolationCheck("acme", "hooli", "dal", allowed=allowed_across),
    ]
    return DemoResult(
        "dev",
        [acme, direct],
        checks,
        forged_landed_in_place=True,
        event_streams=("tp-events", "tp-events-1"),
        analytics={"acme": TenantQueries("acme", queried=queried, landed=4, refused_other=True, refusal="denied")},
    )


def test_the_document_has_the_documented_shape() -> None:
    document = json.loads(json.dumps(result_document(result())))  # JSON all the way through
    assert document == {
        "format": 1,
        "stack": "dev",
        "ok": True,
        "tenants": [
            {
                "id": "acme",
                "tier": "premium",
                "sent": 7,
                "landed": 4,
                "refused": 3,
                "rejected": 0,
                "answers": {"200": 4, "400": 2, "401": 1},
                "deliveryStreams": ["tp-events-1"],
                "s3Prefix": "tenant=acme/",
                "keyspace": "tenant_acme",
                "rows": {"customers": 3, "orders": 12},
                "analytics": {"queried": 4, "landed": 4, "refusedOther": True},
            }
        ],
        "straightToStream": {"sent": 4, "landed": 0, "rejected": 4},
        "isolation": [
            {"kind": "s3", "principal": "acme", "target": "acme", "allowed": True, "expected": True, "holds": True},
            {"kind": "dal", "principal": "acme", "target": "hooli", "allowed": False, "expected": False, "holds": True},
        ],
        "totals": {"sent": 11, "landed": 4, "refused": 3, "rejected": 4, "lost": 0},
        "checks": {
            "everyAcceptedEventLanded": True,
            "forgedLandedInPlace": True,
            "isolationHolds": True,
            "corsHolds": True,
            "routingHolds": True,
            "analyticsHolds": True,
        },
        "deliveryStreams": {"tp-events": [], "tp-events-1": ["acme"]},
        "stacks": [],
        "cors": {"configured": [], "preflight": {}},
        "lifecycle": None,  # the result was made without the lifecycle section
    }


def test_a_tenant_whose_sql_misses_its_events_fails_the_demo() -> None:
    document = result_document(result(queried=3))
    assert document["ok"] is False and document["checks"]["analyticsHolds"] is False
    assert document["tenants"][0]["analytics"] == {"queried": 3, "landed": 4, "refusedOther": True}


def test_a_broken_isolation_shows_in_the_document() -> None:
    document = result_document(result(allowed_across=True))
    assert document["ok"] is False and document["checks"]["isolationHolds"] is False
    assert document["isolation"][1] == {
        "kind": "dal",
        "principal": "acme",
        "target": "hooli",
        "allowed": True,
        "expected": False,
        "holds": False,
    }


def test_events_through_another_tenant_s_stream_fail_the_demo() -> None:
    misrouted = result()
    misrouted.misrouted = {"acme": ("tp-events", "tp-events-1")}
    document = result_document(misrouted)
    assert document["ok"] is False and document["checks"]["routingHolds"] is False
