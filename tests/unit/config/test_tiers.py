"""Tier defaults, overrides and every tier rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import base_config, load, only_problem
from tiers.defaults import BASIC, PREMIUM
from tiers.policy import MIN_QUERY_BYTES_SCANNED_CUTOFF, AutoScaling


def with_tiers(tiers: dict[str, Any]) -> dict[str, Any]:
    return base_config(tiers=tiers)


def test_without_overrides_the_defaults_apply() -> None:
    assert load(base_config()).tiers == {"basic": BASIC, "premium": PREMIUM}


def test_defaults_differ_as_the_design_says() -> None:
    assert (BASIC.storage, BASIC.capacity.mode, BASIC.iam) == ("pooled", "ON_DEMAND", "pooled-role")
    # Premium is on-demand: no scaling targets per tenant (issue 14: ~375 provisioned premium tenants filled
    # the Region's 1,500 Keyspaces targets); PROVISIONED is a tier option.
    assert (PREMIUM.storage, PREMIUM.capacity.mode, PREMIUM.iam) == ("silo", "ON_DEMAND", "dedicated-role")
    assert PREMIUM.point_in_time_recovery and not BASIC.point_in_time_recovery
    assert PREMIUM.throttle.rate_limit > BASIC.throttle.rate_limit
    # Basic keeps one key (`tenantId`, ordering as before); premium's 500 req/s of 2 KB overruns one shard.
    assert (BASIC.partition_keys, PREMIUM.partition_keys) == (1, 4)


def test_partition_keys_override() -> None:
    assert load(with_tiers({"basic": {"partitionKeys": 2}})).tiers["basic"].partition_keys == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "partitionKeys must be 1-16, got 0"),
        (17, "partitionKeys must be 1-16, got 17"),
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
                "basic": {"offboarding": "delete", "pointInTimeRecovery": True},
            }
        )
    ).tiers
    assert tiers["premium"].throttle.rate_limit == 800.0
    assert tiers["premium"].throttle.burst_limit == PREMIUM.throttle.burst_limit
    assert tiers["premium"].capacity.auto_scaling == AutoScaling(5, 4000, 5, 1000, 70.0)
    assert (tiers["basic"].offboarding, tiers["basic"].point_in_time_recovery) == ("delete", True)


def test_switching_premium_to_on_demand_drops_auto_scaling() -> None:
    premium = load(with_tiers({"premium": {"capacity": {"mode": "ON_DEMAND"}}})).tiers["premium"]
    assert (premium.capacity.mode, premium.capacity.auto_scaling) == ("ON_DEMAND", None)


def test_unknown_tier_in_overrides() -> None:
    message = only_problem(with_tiers({"gold": {"throttle": {"rateLimit": 1}}}))
    assert message == "tier 'gold': is not a tier of this product (tiers: basic, premium)"


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
    message = only_problem(with_tiers({"basic": {"capacity": {"mode": "PROVISIONED"}}}))
    assert message == "tier 'basic': capacity.mode PROVISIONED needs capacity.autoScaling bounds"


def test_on_demand_takes_no_auto_scaling() -> None:
    message = only_problem(with_tiers({"basic": {"capacity": {"autoScaling": {"readMin": 1}}}}))
    assert message == "tier 'basic': capacity.autoScaling applies only to capacity.mode PROVISIONED"


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
    message = only_problem(with_tiers({"basic": {"offboarding": "scale-down"}}))
    assert message == "tier 'basic': offboarding 'scale-down' needs silo storage with PROVISIONED capacity"
    message = only_problem(with_tiers({"premium": {"offboarding": "scale-down"}}))  # on-demand by default
    assert message == "tier 'premium': offboarding 'scale-down' needs silo storage with PROVISIONED capacity"
    provisioned = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}, "offboarding": "scale-down"}
    assert load(with_tiers({"premium": provisioned})).tiers["premium"].offboarding == "scale-down"


def test_a_tier_switched_to_provisioned_starts_from_the_documented_bounds() -> None:
    premium = load(with_tiers({"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}})).tiers["premium"]
    assert premium.capacity.auto_scaling == AutoScaling(5, 1000, 5, 1000, 70.0)


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
