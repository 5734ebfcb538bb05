"""The quota model's needs (tiers/quotas.py) are what the program declares: counted under mocks.

A roster with every case a count depends on: served and offboarded tenants of both tiers, a premium
offboarding strategy that keeps the keyspace without auto scaling, and the stack's own
API Gateway logging role. If a component declares one more role or target per tenant, this fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.program import Declaration
from tests.support.storage_runs import run_roster
from tiers.load import load_stack_config
from tiers.pooled_roles import policy_length

ROSTER: list[dict[str, str]] = [
    {"id": "acme", "tier": "premium"},
    {"id": "initech", "tier": "premium"},
    {"id": "oldcorp", "tier": "premium", "status": "offboarded"},  # scale-down: keyspace kept, no targets
    {"id": "globex", "tier": "basic"},
    {"id": "hooli", "tier": "basic"},
    {"id": "vandelay", "tier": "basic", "status": "offboarded"},
]
PROJECT: dict[str, Any] = {
    # The PROVISIONED option (premium's default is on-demand, with no targets): the targets count matters.
    "tiers": {"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}, "offboarding": "scale-down"}},
    "ingest": {"manageApiGatewayAccount": True},
}


@pytest.fixture(scope="module")
def declared() -> Declaration:
    return run_roster(ROSTER, **PROJECT).declaration


@pytest.fixture(scope="module")
def needs() -> dict[str, float]:
    config = load_stack_config({"tenants": ROSTER, **PROJECT}, environment="test", region="us-east-1")
    return {use.spec.key: use.need for use in config.quota_uses()}


def count(declared: Declaration, type_: str) -> int:
    return len(declared.of_type(type_))


def promised_rate(declared: Declaration) -> float:
    """Each API key's usage plan's steady rate, summed: what API Gateway promises the served tenants."""
    rate = {
        plan.inputs["tags"]["Tier"]: plan.inputs["throttleSettings"]["rateLimit"]
        for plan in declared.of_type("aws:apigateway/usagePlan:UsagePlan")
    }
    return float(sum(rate[key.inputs["tags"]["Tier"]] for key in declared.of_type("aws:apigateway/apiKey:ApiKey")))


def test_the_roster_exercises_each_count(needs: dict[str, float]) -> None:
    # Not zero, and not what a roster of only served tenants of the two default tiers would give.
    assert needs["keyspaces"] == 4 and needs["scalableTargets"] == 8 and needs["iamRoles"] == 9


@pytest.mark.parametrize(
    ("key", "type_"),
    [
        ("keyspaces", "aws:keyspaces/keyspace:Keyspace"),
        ("tables", "aws:keyspaces/table:Table"),
        ("apiKeys", "aws:apigateway/apiKey:ApiKey"),
        ("usagePlans", "aws:apigateway/usagePlan:UsagePlan"),
        ("iamRoles", "aws:iam/role:Role"),
        ("scalableTargets", "aws:appautoscaling/target:Target"),
    ],
)
def test_each_counted_need_is_what_the_program_declares(
    needs: dict[str, float], declared: Declaration, key: str, type_: str
) -> None:
    assert needs[key] == count(declared, type_)


def test_the_throttle_need_is_the_rate_the_declared_usage_plans_promise(
    needs: dict[str, float], declared: Declaration
) -> None:
    assert needs["apiThrottle"] == promised_rate(declared) == 500 + 500 + 50 + 50


def test_the_partitions_need_is_one_per_served_tenant_on_the_busiest_partitioned_stream(
    needs: dict[str, float], declared: Declaration
) -> None:
    streams = declared.of_type("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    partitioned = [
        stream
        for stream in streams
        if stream.inputs["extendedS3Configuration"]["dynamicPartitioningConfiguration"]["enabled"]
    ]
    assert len(partitioned) == 1  # AWS's default 500 partitions: one stream carries every served tenant
    prefix = partitioned[0].inputs["extendedS3Configuration"]["prefix"]
    assert prefix.startswith("tenant=!{partitionKeyFromQuery:tenantId}/")  # a partition per tenant (and day)
    assert needs["firehosePartitions"] == count(declared, "aws:apigateway/apiKey:ApiKey") == 4


def test_the_shard_need_is_the_busiest_partition_key_s_rate(needs: dict[str, float], declared: Declaration) -> None:
    """A tenant's rate spread over its tier's partition keys (the template spreads premium over 4)."""
    integration = next(
        i for i in declared.of_type("aws:apigateway/integration:Integration") if i.inputs.get("type") == "AWS"
    )
    template = integration.inputs["requestTemplates"]["application/json"]
    assert '#if($context.authorizer.tier == "premium")#set($spread = 4)#end' in template
    rates = {
        plan.inputs["name"].rsplit("-", 1)[-1]: plan.inputs["throttleSettings"]["rateLimit"]
        for plan in declared.of_type("aws:apigateway/usagePlan:UsagePlan")
    }
    assert needs["kinesisShardRecords"] == max(rates["premium"] / 4, rates["basic"]) == 125


def test_the_trust_policy_need_is_the_longest_declared_pooled_trust_policy(
    needs: dict[str, float], declared: Declaration
) -> None:
    pooled = [role for role in declared.of_type("aws:iam/role:Role") if role.name.startswith("pooled-storage-")]
    lengths = [policy_length(json.loads(role.inputs["assumeRolePolicy"])) for role in pooled]
    assert needs["roleTrustPolicyLength"] == max(lengths)
