"""The tier policy: everything that differs between tenant tiers, as typed data.

A tier is data the stack defines (tiers/catalogue.py): a name, a storage model and limits. The storage model
says where a tenant's rows live: `pooled` (the shared pool's tables, keyed by tenant id; their capacity is the
pool's, tiers/pool.py) or `silo` (a keyspace and a role per tenant, provisioned as the tier's `own_keyspace` says).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StorageModel = Literal["pooled", "silo"]
CapacityMode = Literal["ON_DEMAND", "PROVISIONED"]
IamModel = Literal["pooled-role", "dedicated-role"]
OffboardingStrategy = Literal["retain", "delete", "scale-down"]

STORAGE_MODELS: tuple[StorageModel, ...] = ("pooled", "silo")
CAPACITY_MODES: tuple[CapacityMode, ...] = ("ON_DEMAND", "PROVISIONED")
IAM_MODELS: tuple[IamModel, ...] = ("pooled-role", "dedicated-role")
# The API's mapping template picks a tenant's partition key from two hex digits of the request id (256
# values); above 16 keys the slots would be uneven, and 16 shards (16 MiB/s, 16,000 records/s) is more
# than API Gateway's default account throttle (10,000 requests/s) can send.
MAX_PARTITION_KEYS = 16
OFFBOARDING_STRATEGIES: tuple[OffboardingStrategy, ...] = ("retain", "delete", "scale-down")
# Athena's per-query data usage control (WorkGroupConfiguration.BytesScannedCutoffPerQuery): at least 10 MB.
MIN_QUERY_BYTES_SCANNED_CUTOFF = 10_000_000


@dataclass(frozen=True)
class Throttle:
    """API Gateway usage-plan limits for every tenant of a tier (noisy-neighbour control)."""

    rate_limit: float  # steady requests per second
    burst_limit: int  # token-bucket size
    quota_per_day: int  # requests per day


@dataclass(frozen=True)
class AutoScaling:
    """Keyspaces provisioned capacity bounds and the utilisation auto scaling aims for."""

    read_min: int
    read_max: int
    write_min: int
    write_max: int
    target_utilization: float  # percent, 20-90 as Application Auto Scaling allows


@dataclass(frozen=True)
class Capacity:
    mode: CapacityMode
    auto_scaling: AutoScaling | None  # only for PROVISIONED


@dataclass(frozen=True)
class KeyspaceSettings:
    """How a keyspace's tables are provisioned and protected: a silo tier's (each tenant's own), or the pool's."""

    capacity: Capacity
    point_in_time_recovery: bool


@dataclass(frozen=True)
class TierPolicy:
    name: str
    storage: StorageModel
    throttle: Throttle
    offboarding: OffboardingStrategy
    # Kinesis partition keys per tenant: 1 is `<tenantId>` (one shard, ordered); N is `<tenantId>#0..N-1`.
    partition_keys: int = 1
    # Bytes one analytics query in the tier's Athena workgroup may scan before Athena cancels it
    # (config `analytics: {bytesScannedCutoffPerQuery: N}`; docs/design.md "Per-tenant analytics").
    query_bytes_scanned_cutoff: int = 1_000_000_000
    # Silo tiers: each tenant's own keyspace. None for a pooled tier: its tenants share the pool's tables.
    own_keyspace: KeyspaceSettings | None = None

    @property
    def siloed(self) -> bool:
        return self.storage == "silo"

    @property
    def iam(self) -> IamModel:
        """Keyspaces IAM scopes to keyspaces and tables: a silo tenant gets a role of its own, pooled tenants
        share their pooled shard's role (tiers/pooled_roles.py)."""
        return IAM_MODEL_OF[self.storage]


IAM_MODEL_OF: dict[StorageModel, IamModel] = {"silo": "dedicated-role", "pooled": "pooled-role"}
