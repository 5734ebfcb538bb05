"""The default tier catalogue: the tiers a stack has without defining any, and what a new tier starts from.

`basic` (pooled) and `premium` (silo) are what the product has always shipped; a stack overrides their fields,
adds tiers of its own, or leaves one unused (tiers/catalogue.py). A tier a stack adds names its storage model and
its throttle; every other field starts from its storage model's defaults below.
"""

from __future__ import annotations

from tiers.policy import AutoScaling, Capacity, KeyspaceSettings, StorageModel, Throttle, TierPolicy

# The bounds a keyspace switched to `capacity.mode: PROVISIONED` starts from, field by field (tiers/catalogue.py):
# what the premium default had when it was provisioned by default.
PROVISIONED_BOUNDS = AutoScaling(read_min=5, read_max=1000, write_min=5, write_max=1000, target_utilization=70.0)

# A silo tenant's own keyspace, unless its tier says otherwise. On-demand: a silo tenant then needs no Application
# Auto Scaling targets (a provisioned keyspace takes 4: read and write for each of its 2 tables, and the Region's
# default of 1,500 would stop at ~375 such tenants) and no capacity planning per tenant; PROVISIONED stays a tier
# option for steady, predictable load, where it costs less (docs/design.md "Silo capacity").
SILO_KEYSPACE = KeyspaceSettings(capacity=Capacity(mode="ON_DEMAND", auto_scaling=None), point_in_time_recovery=True)


def storage_model_defaults(name: str, storage: StorageModel, throttle: Throttle) -> TierPolicy:
    """A tier a stack adds (or a default moved to the other storage model) before its own fields: retain on
    offboarding, one partition key, and for silo storage the default own keyspace."""
    return TierPolicy(
        name=name,
        storage=storage,
        throttle=throttle,
        offboarding="retain",
        partition_keys=1,
        own_keyspace=SILO_KEYSPACE if storage == "silo" else None,
    )


BASIC = TierPolicy(
    name="basic",
    storage="pooled",
    throttle=Throttle(rate_limit=50, burst_limit=100, quota_per_day=500_000),
    offboarding="retain",
    partition_keys=1,  # exactly `tenantId`: existing stacks keep each tenant's records in order
    query_bytes_scanned_cutoff=1_000_000_000,  # 1 GB a query: ~1.5 million gzipped events of 2 KB
)

PREMIUM = TierPolicy(
    name="premium",
    storage="silo",
    throttle=Throttle(rate_limit=500, burst_limit=1000, quota_per_day=5_000_000),
    offboarding="retain",
    # One shard takes 1 MiB/s and 1,000 records/s: the throttle's 500 req/s of 2 KB events is already
    # 1 MB/s and its 1,000 burst 2 MB/s, so 4 keys (4 shards' worth when the stream has them) leave 2x room.
    partition_keys=4,
    query_bytes_scanned_cutoff=10_000_000_000,  # 10 GB a query
    own_keyspace=SILO_KEYSPACE,
)

DEFAULT_TIERS: dict[str, TierPolicy] = {tier.name: tier for tier in (BASIC, PREMIUM)}
