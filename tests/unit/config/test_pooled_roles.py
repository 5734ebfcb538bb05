"""Sharding the served basic tenants over pooled roles: every trust policy fits its quota, each tenant is in
exactly one, premium and offboarded tenants in none, and a growing roster moves as few tenants as it can."""

from __future__ import annotations

import random
import string

import pytest

from tests.support.config import load, roster
from tiers.errors import ConfigError
from tiers.naming import Namer
from tiers.pooled_roles import (
    PooledShards,
    initial_shard_count,
    jump_hash,
    plan_pooled_shards,
    planning_application_role_arn,
    policy_length,
    shard_trust_policy,
    tenant_key,
    trust_policy_text,
)

APP = planning_application_role_arn(Namer("dev").application_role())


def tenant_ids(count: int, seed: int = 7) -> list[str]:
    """Distinct tenant ids of 3-32 characters, as a roster might hold them."""
    rng = random.Random(seed)
    ids: dict[str, None] = {}
    while len(ids) < count:
        rest = rng.choices(string.ascii_lowercase + "-", k=rng.randint(2, 31))
        ids[rng.choice(string.ascii_lowercase) + "".join(rest)] = None
    return list(ids)


def shard_lengths(shards: PooledShards) -> dict[int, int]:
    return {shard: policy_length(shard_trust_policy(APP, ids)) for shard, ids in shards.members().items()}


def test_jump_hash_only_ever_moves_a_key_to_the_new_bucket() -> None:
    keys = [tenant_key(tenant_id) for tenant_id in tenant_ids(2000)]
    for buckets in range(1, 60):
        for key in keys:
            before, after = jump_hash(key, buckets), jump_hash(key, buckets + 1)
            assert 0 <= before < buckets
            assert after in (before, buckets)
    with pytest.raises(ValueError, match="at least one bucket"):
        jump_hash(1, 0)


def test_jump_hash_spreads_keys_evenly() -> None:
    keys = [tenant_key(tenant_id) for tenant_id in tenant_ids(10_000)]
    counts = [0] * 10
    for key in keys:
        counts[jump_hash(key, 10)] += 1
    assert all(900 <= count <= 1100 for count in counts), counts  # 1,000 +/- about 3 standard deviations


def test_the_policy_length_is_what_iam_counts_white_space_excluded() -> None:
    document = shard_trust_policy(APP, ["initech", "hooli"])
    text = trust_policy_text(document)
    assert " " not in text and policy_length(document) == len(text)
    assert "000000000000" in text  # measured with an account of the real length; the digits do not matter


@pytest.mark.parametrize("quota", [2048, 4096])
def test_ten_thousand_basic_tenants_each_sit_in_exactly_one_trust_policy_that_fits(quota: int) -> None:
    ids = tenant_ids(10_000)
    shards = plan_pooled_shards(ids, APP, quota)
    members = shards.members()
    listed = [tenant_id for shard_ids in members.values() for tenant_id in shard_ids]
    assert sorted(listed) == sorted(ids)  # each once
    lengths = shard_lengths(shards)
    assert max(lengths.values()) <= quota
    # Not many more roles than the headroom asks for: the ids' characters over 75% of each role's room.
    assert initial_shard_count(ids, APP, quota) <= shards.count <= 1.2 * initial_shard_count(ids, APP, quota)


def test_a_roster_of_a_few_basic_tenants_keeps_one_pooled_role() -> None:
    shards = plan_pooled_shards(["initech", "umbrella-labs", "hooli"], APP, 2048)
    assert shards.count == 1 and shards.members() == {0: ("initech", "umbrella-labs", "hooli")}
    assert plan_pooled_shards([], APP, 2048).members() == {}


def test_adding_a_tenant_moves_no_other_unless_k_grows_and_then_only_into_the_new_shards() -> None:
    ids, quota = tenant_ids(600, seed=11), 1024  # a small quota: K goes through many values
    before = plan_pooled_shards(ids[:1], APP, quota)
    growths = 0
    for size in range(2, len(ids) + 1):
        after = plan_pooled_shards(ids[:size], APP, quota)
        assert after.count >= before.count  # K never shrinks as the roster grows
        moved = {t for t, shard in before.shard_by_tenant.items() if after.shard_by_tenant[t] != shard}
        if after.count == before.count:
            assert not moved, size
        else:
            growths += 1
            # Jump hash moves a tenant only into a shard that did not exist before ...
            assert all(after.shard_by_tenant[t] >= before.count for t in moved)
            # ... so about (new shards)/K of them: never more than the new shards hold.
            expected = (size - 1) * (after.count - before.count) / after.count
            assert len(moved) <= 1.5 * expected + 10, (size, before.count, after.count, len(moved))
        before = after
    assert growths >= 10  # the roster went through many K


def test_plans_put_premium_and_offboarded_tenants_in_no_pooled_role() -> None:
    tenants = roster(
        ("acme", "premium"),
        ("initech", "basic"),
        {"id": "vandelay", "tier": "basic", "status": "offboarded"},
        {"id": "oldcorp", "tier": "premium", "status": "offboarded"},
        *((f"basic-{n}", "basic") for n in range(300)),
    )
    # 301 basic tenants at 50 requests/s promise more than the default account throttle.
    config = load({"tenants": tenants, "quotas": {"apiThrottle": 20_000}})
    plans = {plan.tenant_id: plan for plan in config.plans}
    assert plans["acme"].pooled_shard is None and plans["acme"].role_name == "tenant-pipeline-dev-tenant-acme"
    for gone in ("vandelay", "oldcorp"):
        assert (plans[gone].pooled_shard, plans[gone].role_name) == (None, None)
    basic = [plan for plan in config.plans if plan.tier.name == "basic" and plan.served]
    assert {plan.pooled_shard for plan in basic} == set(range(max(p.pooled_shard or 0 for p in basic) + 1))
    assert len({plan.pooled_shard for plan in basic}) > 1  # 301 ids do not fit one 2,048-character policy
    for plan in basic:
        assert plan.role_name == Namer("dev").pooled_tenant_role(plan.pooled_shard or 0)
    assert plans["initech"].role_name in (
        "tenant-pipeline-dev-pooled-tenants",
        *(f"tenant-pipeline-dev-pooled-tenants-{k}" for k in range(1, 10)),
    )


def test_a_quota_too_small_for_one_tenant_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="tenant 'umbrella-labs' alone takes"):
        plan_pooled_shards(["hooli", "umbrella-labs"], APP, 300)
