"""The tiers the product offers, with their default policy. Stack config may override fields."""

from __future__ import annotations

from tiers.policy import AutoScaling, Capacity, Throttle, TierPolicy

BASIC = TierPolicy(
    name="basic",
    storage="pooled",
    capacity=Capacity(mode="ON_DEMAND", auto_scaling=None),
    throttle=Throttle(rate_limit=50, burst_limit=100, quota_per_day=500_000),
    iam="pooled-role",
    point_in_time_recovery=False,
    offboarding="retain",
)

PREMIUM = TierPolicy(
    name="premium",
    storage="silo",
    capacity=Capacity(
        mode="PROVISIONED",
        auto_scaling=AutoScaling(read_min=5, read_max=1000, write_min=5, write_max=1000, target_utilization=70.0),
    ),
    throttle=Throttle(rate_limit=500, burst_limit=1000, quota_per_day=5_000_000),
    iam="dedicated-role",
    point_in_time_recovery=True,
    offboarding="retain",
)

DEFAULT_TIERS: dict[str, TierPolicy] = {tier.name: tier for tier in (BASIC, PREMIUM)}
