"""Tiers are data (issue 20): a stack defines its own tiers in config, and the whole program follows under mocks.

Four tiers, one tenant each: `free` (pooled), `standard` (pooled, 2 partition keys), `premium` (silo, on-demand,
the default) and `enterprise` (silo, provisioned). Every expectation is derived from the catalogue the stack's
config resolves to, so adding a fifth tier (a test below does, through config alone) checks the same rules.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.program import Declaration
from tests.support.storage_runs import run_roster
from tiers.load import load_stack_config
from tiers.naming import Namer
from tiers.stack_config import StackConfig

STACK = "test"
TIERS: dict[str, Any] = {
    "free": {
        "storage": "pooled",
        "throttle": {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 10_000},
        "offboarding": "delete",
    },
    "standard": {
        "storage": "pooled",
        "throttle": {"rateLimit": 100, "burstLimit": 200, "quotaPerDay": 1_000_000},
        "partitionKeys": 2,
    },
    "enterprise": {
        "storage": "silo",
        "throttle": {"rateLimit": 2000, "burstLimit": 4000, "quotaPerDay": 50_000_000},
        "partitionKeys": 8,
        "capacity": {"mode": "PROVISIONED", "autoScaling": {"readMax": 4000, "writeMax": 2000}},
    },
}
ROSTER = [
    {"id": "freebie", "tier": "free"},
    {"id": "steady", "tier": "standard"},
    {"id": "acme", "tier": "premium"},
    {"id": "bigcorp", "tier": "enterprise"},
]
# A fifth tier, added through config alone: no code knows its name.
FIFTH: dict[str, Any] = {
    "platinum": {
        "storage": "silo",
        "throttle": {"rateLimit": 3000, "burstLimit": 6000, "quotaPerDay": 90_000_000},
        "partitionKeys": 4,  # 750 records/s per key, within a shard's 1,000
        "pointInTimeRecovery": False,
    }
}


def catalogue(tiers: dict[str, Any], roster: list[dict[str, str]]) -> StackConfig:
    return load_stack_config({"tenants": roster, "tiers": tiers}, environment=STACK, region="us-east-1")


@pytest.fixture(scope="module", params=["four tiers", "and a fifth"])
def stack(request: pytest.FixtureRequest) -> tuple[StackConfig, Declaration]:
    tiers, roster = dict(TIERS), list(ROSTER)
    if request.param == "and a fifth":
        tiers |= FIFTH
        roster.append({"id": "shiny", "tier": "platinum"})
    return catalogue(tiers, roster), run_roster(roster, stack=STACK, tiers=tiers).declaration


def test_every_tier_gets_its_usage_plan_with_its_limits(stack: tuple[StackConfig, Declaration]) -> None:
    config, declared = stack
    plans = {plan.inputs["tags"]["Tier"]: plan for plan in declared.of_type("aws:apigateway/usagePlan:UsagePlan")}
    assert set(plans) == set(config.tiers)  # the defaults too, used or not
    for name, tier in config.tiers.items():
        inputs = plans[name].inputs
        assert inputs["name"] == Namer(STACK).physical("api", "plan", name)
        assert inputs["throttleSettings"] == {
            "rateLimit": tier.throttle.rate_limit,
            "burstLimit": tier.throttle.burst_limit,
        }
        assert inputs["quotaSettings"] == {"limit": tier.throttle.quota_per_day, "period": "DAY"}


def test_each_tenant_is_keyed_on_its_tiers_plan(stack: tuple[StackConfig, Declaration]) -> None:
    config, declared = stack
    plan_ids = {plan.inputs["tags"]["Tier"]: plan.id for plan in declared.of_type("aws:apigateway/usagePlan:UsagePlan")}
    keys = {key.id: key.inputs["tags"]["TenantId"] for key in declared.of_type("aws:apigateway/apiKey:ApiKey")}
    memberships = {
        keys[member.inputs["keyId"]]: member.inputs["usagePlanId"]
        for member in declared.of_type("aws:apigateway/usagePlanKey:UsagePlanKey")
    }
    assert memberships == {tenant.id: plan_ids[tenant.tier] for tenant in config.tenants}


def test_each_tiers_partition_keys_are_in_the_mapping_template(stack: tuple[StackConfig, Declaration]) -> None:
    config, declared = stack
    (integration,) = [
        i for i in declared.of_type("aws:apigateway/integration:Integration") if i.inputs["type"] == "AWS"
    ]
    template = integration.inputs["requestTemplates"]["application/json"]
    for name, tier in config.tiers.items():
        rule = f'#if($context.authorizer.tier == "{name}")#set($spread = {tier.partition_keys})#end'
        assert (rule in template) == (tier.partition_keys > 1), name


def test_storage_follows_each_tiers_model(stack: tuple[StackConfig, Declaration]) -> None:
    config, declared = stack
    directory = declared.outputs["tenants"]
    pooled_trust = [
        json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
        for role in declared.of_type("aws:iam/role:Role")
        if role.name.startswith("pooled-storage-role")
    ]
    trusted = {tenant for condition in pooled_trust for tenant in condition["aws:RequestTag/TenantId"]}
    for tenant in config.tenants:
        tier = config.tiers[tenant.tier]
        record = directory[tenant.id]
        assert record["tier"] == tenant.tier
        if tier.siloed:
            assert record["keyspace"] == f"tenant_{tenant.id}"
            assert tenant.id not in trusted
            tables = [
                t
                for t in declared.of_type("aws:keyspaces/table:Table")
                if t.inputs["keyspaceName"] == record["keyspace"]
            ]
            assert tier.own_keyspace is not None and tables
            for table in tables:
                assert table.inputs["pointInTimeRecovery"]["status"] == (
                    "ENABLED" if tier.own_keyspace.point_in_time_recovery else "DISABLED"
                )
                mode = table.inputs["capacitySpecification"]["throughputMode"]
                assert mode == (
                    "PROVISIONED" if tier.own_keyspace.capacity.mode == "PROVISIONED" else "PAY_PER_REQUEST"
                )
                assert table.inputs["tags"]["Tier"] == tenant.tier
        else:
            assert record["keyspace"] == "tenants_pool"
            assert tenant.id in trusted


def test_the_pooled_tables_are_sized_by_the_pool_not_by_a_pooled_tier(stack: tuple[StackConfig, Declaration]) -> None:
    config, declared = stack
    pool_tables = [
        t for t in declared.of_type("aws:keyspaces/table:Table") if t.inputs["keyspaceName"] == "tenants_pool"
    ]
    for table in pool_tables:
        assert table.inputs["pointInTimeRecovery"]["status"] == (
            "ENABLED" if config.pool.point_in_time_recovery else "DISABLED"
        )
        assert "Tier" not in table.inputs["tags"]


def test_every_served_tenant_is_routed_to_a_delivery_stream(stack: tuple[StackConfig, Declaration]) -> None:
    config, _ = stack
    assert set(config.delivery_shards.stream_by_tenant) == {t.id for t in config.tenants if t.status == "active"}


def test_the_plan_lists_the_catalogue(stack: tuple[StackConfig, Declaration]) -> None:
    from local.plan import tier_entries

    config, _ = stack
    entries = {entry["name"]: entry for entry in tier_entries(config)}
    assert set(entries) == set(config.tiers)
    for name, tier in config.tiers.items():
        entry = entries[name]
        assert entry["storage"] == tier.storage and entry["partitionKeys"] == tier.partition_keys
        assert entry["tenants"] == [t.id for t in config.tenants if t.tier == name]
