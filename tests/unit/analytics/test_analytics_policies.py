"""The analytics policy documents and grants as plain functions."""

from __future__ import annotations

from typing import Any

import pytest

from components.analytics.grants import analytics_grants
from components.analytics.policies import AnalyticsScope, tenant_analytics_policy
from components.errors import ComponentInputError
from tests.support.config import load, roster

SCOPE = AnalyticsScope("us-east-1", "123456789012", "db", "events", "ingest-bucket", "results-bucket")


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document["Statement"]}


def test_a_premium_role_writes_results_under_its_own_tenant_prefix_only() -> None:
    document = statements(tenant_analytics_policy(SCOPE, "acme", ["wg-premium"]))
    assert document["OwnQueryResults"]["Resource"] == ["arn:aws:s3:::results-bucket/tenant=acme/*"]
    assert document["ListOwnQueryResults"]["Condition"] == {"StringLike": {"s3:prefix": ["tenant=acme/*"]}}
    assert all("Null" not in s.get("Condition", {}) for s in document.values())


def test_a_pooled_role_follows_its_session_tag_and_an_untagged_session_gets_nothing() -> None:
    document = statements(tenant_analytics_policy(SCOPE, None, ["wg-basic"]))
    assert document["OwnQueryResults"]["Resource"] == [
        "arn:aws:s3:::results-bucket/tenant=${aws:PrincipalTag/TenantId}/*"
    ]
    for statement in document.values():
        assert statement["Condition"]["Null"] == {"aws:PrincipalTag/TenantId": "false"}


def test_bad_inputs_are_refused_by_name() -> None:
    with pytest.raises(ComponentInputError, match="needs its tier's workgroup"):
        tenant_analytics_policy(SCOPE, "acme", [])
    with pytest.raises(ComponentInputError, match="account id must be 12 digits"):
        AnalyticsScope("us-east-1", "12", "db", "events", "a", "b")


def test_grants_one_per_silo_role_and_one_per_pooled_shard_with_their_tenants_tiers() -> None:
    config = load({"tenants": roster(("acme", "premium"), ("globex", "basic"), ("initech", "basic"))})
    grants = analytics_grants(config.plans, ["acme"])
    silo = [g for g in grants if g.tenant_id is not None]
    pooled = [g for g in grants if g.tenant_id is None]
    assert [(g.role, g.tenant_id, g.tiers) for g in silo] == [("tenant-acme", "acme", ("premium",))]
    assert {g.tiers for g in pooled} == {("basic",)}
    assert {g.shard for g in pooled} == {p.pooled_shard for p in config.plans if p.pooled_shard is not None}
