"""The analytics policy documents and grants as plain functions."""

from __future__ import annotations

from typing import Any

import pytest

from components.analytics.policies import AnalyticsScope, tenant_analytics_policy
from components.errors import ComponentInputError
from components.storage.analytics_policy import analytics_policy
from components.storage.policies import AccountScope
from tests.support.config import load, roster
from tiers.naming import Namer
from tiers.plan import pooled_role_tiers

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


def test_a_pooled_roles_workgroups_are_its_tenants_tiers() -> None:
    free = {"free": {"storage": "pooled", "throttle": {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 100}}}
    config = load({"tenants": roster(("acme", "premium"), ("globex", "basic"), ("initech", "free")), "tiers": free})
    tiers = pooled_role_tiers(config.plans)
    assert tiers == {0: ("basic", "free")}  # one shard: its sessions may use either tier's workgroup


def test_each_tenant_role_carries_its_analytics_policy() -> None:
    """The analytics policy of a role follows the analytics catalog's names for the account and region."""
    namer = Namer("dev")
    document = analytics_policy(namer, "acme", ["premium"])(AccountScope("us-east-1", "123456789012"), "arn:aws:s3:::b")
    (query,) = [s for s in document["Statement"] if s["Sid"] == "QueryInTierWorkgroup"]
    assert query["Resource"] == [f"arn:aws:athena:us-east-1:123456789012:workgroup/{namer.tier_workgroup('premium')}"]
    (locate,) = [s for s in document["Statement"] if s["Sid"] == "LocateBuckets"]
    assert locate["Resource"][0] == "arn:aws:s3:::b"
    assert locate["Resource"][1] == f"arn:aws:s3:::{namer.analytics_results_bucket('123456789012', 'us-east-1')}"
