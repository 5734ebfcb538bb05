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
    partition_keys=1,  # exactly `tenantId`: existing stacks keep each tenant's records in order
    query_bytes_scanned_cutoff=1_000_000_000,  # 1 GB a query: ~1.5 million gzipped events of 2 KB
)

# The bounds a tier switched to `capacity.mode: PROVISIONED` starts from, field by field (tiers/overrides.py):
# what premium had when it was provisioned by default.
PROVISIONED_BOUNDS = AutoScaling(read_min=5, read_max=1000, write_min=5, write_max=1000, target_utilization=70.0)

PREMIUM = TierPolicy(
    name="premium",
    storage="silo",
    # On-demand by default: a premium tenant then needs no Application Auto Scaling targets (a provisioned
    # keyspace takes 4: read and write for each of its 2 tables, and the Region's default of 1,500 would stop
    # at ~375 premium tenants) and no capacity planning per tenant; PROVISIONED stays a tier option for
    # steady, predictable load, where it costs less (docs/design.md "Premium capacity").
    capacity=Capacity(mode="ON_DEMAND", auto_scaling=None),
    throttle=Throttle(rate_limit=500, burst_limit=1000, quota_per_day=5_000_000),
    iam="dedicated-role",
    point_in_time_recovery=True,
    offboarding="retain",
    # One shard takes 1 MiB/s and 1,000 records/s: the throttle's 500 req/s of 2 KB events is already
    # 1 MB/s and its 1,000 burst 2 MB/s, so 4 keys (4 shards' worth when the stream has them) leave 2x room.
    partition_keys=4,
    query_bytes_scanned_cutoff=10_000_000_000,  # 10 GB a query
)

DEFAULT_TIERS: dict[str, TierPolicy] = {tier.name: tier for tier in (BASIC, PREMIUM)}
