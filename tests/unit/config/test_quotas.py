"""Quota checks: keyspaces, tables and API keys in the region, each overridable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import base_config, load, only_problem


def many(tier: str, count: int, status: str = "active", prefix: str = "t") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{tier[0]}{n}", "tier": tier, "status": status} for n in range(count)]


def test_keyspaces_quota_names_the_first_tenant_over() -> None:
    # 1 pooled keyspace + 3 silo keyspaces > 3
    raw = base_config(tenants=many("premium", 3), quotas={"keyspaces": 3, "tables": 1000})
    assert only_problem(raw) == (
        "tenant 'tp2': goes over the keyspaces quota of 3 in the region (the roster needs 4); "
        "request a quota increase from AWS, then set tenant-pipeline:quotas.keyspaces"
    )


def test_tables_quota_counts_silo_and_pooled_tables() -> None:
    # 2 pooled tables + 2 per silo keyspace: the 3rd premium tenant makes 8 > 7
    raw = base_config(tenants=many("premium", 3), quotas={"tables": 7})
    assert only_problem(raw).startswith(
        "tenant 'tp2': goes over the tables quota of 7 in the region (the roster needs 8)"
    )


def test_default_tables_quota_of_256_allows_127_premium_tenants() -> None:
    assert len(load(base_config(tenants=many("premium", 127))).tenants) == 127
    message = only_problem(base_config(tenants=many("premium", 128)))
    assert message.startswith("tenant 'tp127': goes over the tables quota of 256")


def test_raising_a_quota_in_config_lets_the_roster_through() -> None:
    raw = base_config(tenants=many("premium", 200), quotas={"keyspaces": 300, "tables": 500})
    assert len(load(raw).tenants) == 200


def test_api_keys_quota_counts_served_tenants_only() -> None:
    raw = base_config(tenants=many("basic", 3) + many("basic", 5, "offboarded", "o"), quotas={"apiKeys": 3})
    assert len(load(raw).tenants) == 8
    raw = base_config(tenants=many("basic", 4), quotas={"apiKeys": 3})
    assert only_problem(raw).startswith("tenant 'tb3': goes over the apiKeys quota of 3 in the region")


def test_offboarded_silo_tenants_count_unless_their_keyspace_is_deleted() -> None:
    offboarded = many("premium", 2, "offboarded")
    kept = base_config(tenants=offboarded, quotas={"keyspaces": 2})
    assert only_problem(kept).startswith("tenant 'tp1': goes over the keyspaces quota of 2")
    deleted = base_config(tenants=offboarded, quotas={"keyspaces": 2}, tiers={"premium": {"offboarding": "delete"}})
    assert len(load(deleted).tenants) == 2


@pytest.mark.parametrize(
    ("quotas", "expected"),
    [
        ({"keyspaces": 0}, "tenant-pipeline:quotas: quotas.keyspaces must be at least 1, got 0"),
        ({"tables": "many"}, "tenant-pipeline:quotas: quotas.tables must be a whole number, got 'many'"),
        (
            {"shards": 5},
            "tenant-pipeline:quotas: unknown key 'shards' in quotas "
            "(allowed: apiKeys, keyspaces, roleTrustPolicyLength, tables)",
        ),
        (
            {"roleTrustPolicyLength": 8192},
            "tenant-pipeline:quotas: quotas.roleTrustPolicyLength must be at most 4096 (the most AWS grants), got 8192",
        ),
        (
            {"roleTrustPolicyLength": 0},
            "tenant-pipeline:quotas: quotas.roleTrustPolicyLength must be at least 1, got 0",
        ),
        (
            {"roleTrustPolicyLength": 300},
            "tenant-pipeline:quotas.roleTrustPolicyLength: is 300 characters, but a pooled role's trust policy for "
            "tenant 'globex' alone takes 344; raise it (AWS allows up to 4096)",
        ),
    ],
)
def test_bad_quota_settings(quotas: dict[str, Any], expected: str) -> None:
    assert only_problem(base_config(quotas=quotas)) == expected


def test_the_trust_policy_quota_defaults_to_2048_and_can_be_raised_to_4096() -> None:
    assert load(base_config()).quotas.role_trust_policy_length == 2048
    raised = load(base_config(quotas={"roleTrustPolicyLength": 4096}))
    assert raised.quotas.role_trust_policy_length == 4096
