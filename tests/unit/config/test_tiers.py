"""The tier catalogue: the defaults, a stack's overrides and its own tiers, the pool, and every tier rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from functions.contracts.tiers import TIER_NAME_RULE
from tests.support.config import base_config, load, only_problem, roster
from tiers.defaults import BASIC, DEFAULT_TIERS, PREMIUM, PROVISIONED_BOUNDS, SILO_KEYSPACE
from tiers.policy import (
    MAX_PARTITION_KEYS,
    MIN_QUERY_BYTES_SCANNED_CUTOFF,
    STORAGE_MODELS,
    AutoScaling,
    KeyspaceSettings,
    Throttle,
    TierPolicy,
)
from tiers.pool import DEFAULT_POOL


def with_tiers(tiers: dict[str, Any]) -> dict[str, Any]:
    return base_config(tiers=tiers)


def test_without_a_tiers_setting_the_default_catalogue_applies() -> None:
    assert load(base_config()).tiers == DEFAULT_TIERS


def test_defaults_differ_as_the_design_says() -> None:
    assert (BASIC.storage, BASIC.own_keyspace, BASIC.iam) == ("pooled", None, "pooled-role")
    # Silo tenants' keyspaces are on-demand: no scaling targets per tenant (issue 14: ~375 provisioned premium
    # tenants filled the Region's 1,500 Keyspaces targets); PROVISIONED is a tier option.
    assert (PREMIUM.storage, PREMIUM.own_keyspace, PREMIUM.iam) == ("silo", SILO_KEYSPACE, "dedicated-role")
    assert SILO_KEYSPACE.capacity.mode == "ON_DEMAND" and SILO_KEYSPACE.point_in_time_recovery
    assert PREMIUM.throttle.rate_limit > BASIC.throttle.rate_limit
    # Basic keeps one key (`tenantId`, ordering as before); premium's 500 req/s of 2 KB overruns one shard.
    assert (BASIC.partition_keys, PREMIUM.partition_keys) == (1, 4)


def test_partition_keys_override() -> None:
    assert load(with_tiers({"basic": {"partitionKeys": 2}})).tiers["basic"].partition_keys == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, f"partitionKeys must be 1-{MAX_PARTITION_KEYS}, got 0"),
        (MAX_PARTITION_KEYS + 1, f"partitionKeys must be 1-{MAX_PARTITION_KEYS}, got {MAX_PARTITION_KEYS + 1}"),
        ("four", "tiers.premium.partitionKeys must be a whole number, got 'four'"),
        (2.5, "tiers.premium.partitionKeys must be a whole number, got 2.5"),
        (True, "tiers.premium.partitionKeys must be a whole number, got True"),
    ],
)
def test_partition_keys_bounds_and_type(value: object, expected: str) -> None:
    assert only_problem(with_tiers({"premium": {"partitionKeys": value}})) == f"tier 'premium': {expected}"


def test_overrides_merge_field_by_field() -> None:
    tiers = load(
        with_tiers(
            {
                "premium": {
                    "throttle": {"rateLimit": 800},
                    "capacity": {"mode": "PROVISIONED", "autoScaling": {"readMax": 4000}},
                },
                "basic": {"offboarding": "delete"},
            }
        )
    ).tiers
    assert tiers["premium"].throttle.rate_limit == 800.0
    assert tiers["premium"].throttle.burst_limit == PREMIUM.throttle.burst_limit
    assert own_keyspace(tiers["premium"]).capacity.auto_scaling == replace(PROVISIONED_BOUNDS, read_max=4000)
    assert own_keyspace(tiers["premium"]).point_in_time_recovery == SILO_KEYSPACE.point_in_time_recovery
    assert tiers["basic"] == replace(BASIC, offboarding="delete")


def test_switching_a_silo_tier_to_on_demand_drops_auto_scaling() -> None:
    provisioned = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}
    written = {"enterprise": {"storage": "silo", "throttle": THROTTLE, **provisioned}}
    assert own_keyspace(load(with_tiers(written)).tiers["enterprise"]).capacity.auto_scaling == PROVISIONED_BOUNDS
    written["enterprise"]["capacity"] = {"mode": "ON_DEMAND"}
    capacity = own_keyspace(load(with_tiers(written)).tiers["enterprise"]).capacity
    assert (capacity.mode, capacity.auto_scaling) == ("ON_DEMAND", None)


def own_keyspace(tier: TierPolicy) -> KeyspaceSettings:
    assert tier.own_keyspace is not None, f"tier {tier.name} is not a silo tier"
    return tier.own_keyspace


# A tier a stack adds gives its storage model and its whole throttle.
THROTTLE = {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 10_000}


def test_a_stack_adds_a_tier_in_config_alone() -> None:
    config = load(
        base_config(
            tiers={"free": {"storage": "pooled", "throttle": THROTTLE, "offboarding": "delete"}},
            tenants=roster(("acme", "premium"), ("globex", "free")),
        )
    )
    free = config.tiers["free"]
    assert free == TierPolicy(
        name="free",
        storage="pooled",
        throttle=Throttle(rate_limit=5.0, burst_limit=10, quota_per_day=10_000),
        offboarding="delete",
        partition_keys=1,
        own_keyspace=None,
    )
    assert set(config.tiers) == set(DEFAULT_TIERS) | {"free"}  # the defaults stay, used or not
    assert config.plans[1].tier == free


def test_a_silo_tier_the_stack_adds_starts_from_the_silo_defaults() -> None:
    enterprise = load(with_tiers({"enterprise": {"storage": "silo", "throttle": THROTTLE}})).tiers["enterprise"]
    assert (enterprise.own_keyspace, enterprise.offboarding, enterprise.partition_keys) == (SILO_KEYSPACE, "retain", 1)


def test_a_tier_the_stack_adds_must_name_its_storage_model_and_throttle() -> None:
    assert only_problem(with_tiers({"gold": {"throttle": THROTTLE}})) == (
        f"tier 'gold': tiers.gold.storage is required for a tier the stack adds: one of {', '.join(STORAGE_MODELS)}"
    )
    assert only_problem(with_tiers({"gold": {"storage": "silo", "throttle": {"rateLimit": 1}}})) == (
        "tier 'gold': tiers.gold.throttle is required for a tier the stack adds, with rateLimit, burstLimit, "
        "quotaPerDay (missing: burstLimit, quotaPerDay)"
    )


def test_an_unknown_storage_model_is_refused_by_name() -> None:
    message = only_problem(with_tiers({"gold": {"storage": "shared", "throttle": THROTTLE}}))
    assert message == f"tier 'gold': tiers.gold.storage must be one of {', '.join(STORAGE_MODELS)}, got 'shared'"


@pytest.mark.parametrize("name", ["Gold", "1st", "gold-", "g_old", "a" * 17, "gold tier"])
def test_a_tier_name_that_breaks_the_rule_is_refused(name: str) -> None:
    message = only_problem(with_tiers({name: {"storage": "pooled", "throttle": THROTTLE}}))
    assert (
        message
        == f"tier '{name}': name must be {TIER_NAME_RULE} (a tier's name is part of AWS names, tags and its usage plan)"
    )


@pytest.mark.parametrize("name", ["a", "gold", "tier-2", "a" * 16])
def test_a_tier_name_within_the_rule_is_accepted(name: str) -> None:
    assert name in load(with_tiers({name: {"storage": "pooled", "throttle": THROTTLE}})).tiers


@pytest.mark.parametrize(("key", "value"), [("capacity", {"mode": "ON_DEMAND"}), ("pointInTimeRecovery", True)])
def test_a_pooled_tier_that_sets_a_keyspace_option_is_refused_naming_the_pool_setting(key: str, value: Any) -> None:
    for tier, entry in (("basic", {}), ("free", {"storage": "pooled", "throttle": THROTTLE})):
        message = only_problem(with_tiers({tier: {**entry, key: value}}))
        assert message == (
            f"tier '{tier}': tiers.{tier}.{key} is a silo-only option (each silo tenant's own tables): a pooled "
            f"tier's tenants share the pool's tables, whose {key} is tenant-pipeline:pool.{key}"
        )


def test_a_default_tier_moved_to_the_other_storage_model_takes_that_models_defaults() -> None:
    basic = load(with_tiers({"basic": {"storage": "silo"}}), previous=None).tiers["basic"]
    assert (basic.storage, basic.own_keyspace, basic.throttle) == ("silo", SILO_KEYSPACE, BASIC.throttle)


def test_overrides_must_be_a_mapping() -> None:
    assert only_problem(with_tiers(["premium"])) == "tenant-pipeline:tiers: tiers must be a mapping, got list"  # type: ignore[arg-type]


def test_unknown_key_in_a_tier() -> None:
    message = only_problem(with_tiers({"premium": {"throtle": {}}}))
    allowed = "(allowed: analytics, capacity, iam,"
    assert message.startswith(f"tier 'premium': unknown key 'throtle' in tiers.premium {allowed}")


def test_unknown_key_in_throttle() -> None:
    message = only_problem(with_tiers({"basic": {"throttle": {"rps": 5}}}))
    assert message == (
        "tier 'basic': unknown key 'rps' in tiers.basic.throttle (allowed: burstLimit, quotaPerDay, rateLimit)"
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("rateLimit", "fast", "tiers.basic.throttle.rateLimit must be a number, got 'fast'"),
        ("burstLimit", 2.5, "tiers.basic.throttle.burstLimit must be a whole number, got 2.5"),
        ("quotaPerDay", True, "tiers.basic.throttle.quotaPerDay must be a whole number, got True"),
    ],
)
def test_throttle_types(field: str, value: object, expected: str) -> None:
    assert only_problem(with_tiers({"basic": {"throttle": {field: value}}})) == f"tier 'basic': {expected}"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("rateLimit", 0, "throttle.rateLimit must be above 0, got 0.0"),
        ("burstLimit", 0, "throttle.burstLimit must be at least 1, got 0"),
        ("quotaPerDay", -5, "throttle.quotaPerDay must be at least 1, got -5"),
    ],
)
def test_throttle_bounds(field: str, value: int, expected: str) -> None:
    assert only_problem(with_tiers({"basic": {"throttle": {field: value}}})) == f"tier 'basic': {expected}"


def test_a_choice_outside_its_set() -> None:
    message = only_problem(with_tiers({"basic": {"offboarding": "archive"}}))
    assert message == "tier 'basic': tiers.basic.offboarding must be one of retain, delete, scale-down, got 'archive'"


def test_iam_model_must_fit_the_storage_model() -> None:
    message = only_problem(with_tiers({"basic": {"iam": "dedicated-role"}}))
    assert message.startswith("tier 'basic': iam 'dedicated-role' does not fit storage 'pooled'")


def test_provisioned_needs_auto_scaling_bounds() -> None:
    message = only_problem(with_tiers({"premium": {"capacity": {"mode": "PROVISIONED"}}}))
    assert message == "tier 'premium': capacity.mode PROVISIONED needs capacity.autoScaling bounds"
    message = only_problem(base_config(pool={"capacity": {"mode": "PROVISIONED"}}))
    assert message == "tenant-pipeline:pool: capacity.mode PROVISIONED needs capacity.autoScaling bounds"


def test_on_demand_takes_no_auto_scaling() -> None:
    message = only_problem(with_tiers({"premium": {"capacity": {"autoScaling": {"readMin": 1}}}}))
    assert message == "tier 'premium': capacity.autoScaling applies only to capacity.mode PROVISIONED"


@pytest.mark.parametrize(
    ("scaling", "expected"),
    [
        ({"readMin": 10, "readMax": 5}, "capacity.autoScaling needs 1 <= readMin <= readMax, got 10 and 5"),
        ({"writeMin": 0}, "capacity.autoScaling needs 1 <= writeMin <= writeMax, got 0 and 1000"),
        ({"targetUtilization": 95}, "capacity.autoScaling.targetUtilization must be 20-90 percent, got 95"),
        ({"targetUtilization": 10}, "capacity.autoScaling.targetUtilization must be 20-90 percent, got 10"),
    ],
)
def test_auto_scaling_bounds(scaling: dict[str, float], expected: str) -> None:
    assert (
        only_problem(with_tiers({"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": scaling}}}))
        == f"tier 'premium': {expected}"
    )


def test_scale_down_needs_a_provisioned_silo() -> None:
    message = only_problem(with_tiers({"basic": {"offboarding": "scale-down"}}))  # pooled
    assert message == "tier 'basic': offboarding 'scale-down' needs silo storage with PROVISIONED capacity"
    message = only_problem(with_tiers({"premium": {"offboarding": "scale-down"}}))  # on-demand by default
    assert message == "tier 'premium': offboarding 'scale-down' needs silo storage with PROVISIONED capacity"
    provisioned = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}, "offboarding": "scale-down"}
    assert load(with_tiers({"premium": provisioned})).tiers["premium"].offboarding == "scale-down"


def test_a_keyspace_switched_to_provisioned_starts_from_the_documented_bounds() -> None:
    premium = load(with_tiers({"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}})).tiers["premium"]
    assert own_keyspace(premium).capacity.auto_scaling == PROVISIONED_BOUNDS == AutoScaling(5, 1000, 5, 1000, 70.0)
    pool = load(base_config(pool={"capacity": {"mode": "PROVISIONED", "autoScaling": {"writeMax": 50}}})).pool
    assert pool.capacity.auto_scaling == replace(PROVISIONED_BOUNDS, write_max=50)
    assert pool.point_in_time_recovery == DEFAULT_POOL.point_in_time_recovery


def test_the_pool_is_declared_once_with_its_defaults() -> None:
    assert load(base_config()).pool == DEFAULT_POOL
    assert load(base_config(pool={"pointInTimeRecovery": True})).pool == replace(
        DEFAULT_POOL, point_in_time_recovery=True
    )
    message = only_problem(base_config(pool={"capacity": {"mode": "ON_DEMAND"}, "size": 3}))
    assert message == "tenant-pipeline:pool: unknown key 'size' in pool (allowed: capacity, pointInTimeRecovery)"


def test_query_cutoff_defaults_and_override() -> None:
    # Premium tenants may scan more per query than basic ones (their workgroup's cutoff).
    assert PREMIUM.query_bytes_scanned_cutoff > BASIC.query_bytes_scanned_cutoff
    raw = with_tiers({"basic": {"analytics": {"bytesScannedCutoffPerQuery": 50_000_000}}})
    assert load(raw).tiers["basic"].query_bytes_scanned_cutoff == 50_000_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            MIN_QUERY_BYTES_SCANNED_CUTOFF - 1,
            f"analytics.bytesScannedCutoffPerQuery must be at least {MIN_QUERY_BYTES_SCANNED_CUTOFF:,} "
            f"(Athena's minimum, 10 MB), got {MIN_QUERY_BYTES_SCANNED_CUTOFF - 1:,}",
        ),
        ("lots", "tiers.basic.analytics.bytesScannedCutoffPerQuery must be a whole number, got 'lots'"),
    ],
)
def test_query_cutoff_is_refused_below_athena_minimum_or_not_a_number(value: object, expected: str) -> None:
    raw = with_tiers({"basic": {"analytics": {"bytesScannedCutoffPerQuery": value}}})
    assert only_problem(raw) == f"tier 'basic': {expected}"


def test_query_cutoff_at_athena_minimum_is_accepted_and_unknown_analytics_keys_are_refused() -> None:
    raw = with_tiers({"basic": {"analytics": {"bytesScannedCutoffPerQuery": MIN_QUERY_BYTES_SCANNED_CUTOFF}}})
    assert load(raw).tiers["basic"].query_bytes_scanned_cutoff == MIN_QUERY_BYTES_SCANNED_CUTOFF
    problem = only_problem(with_tiers({"basic": {"analytics": {"bytesScanned": 1}}}))
    assert "unknown key 'bytesScanned' in tiers.basic.analytics" in problem
