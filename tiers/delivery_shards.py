"""How many enriched-events delivery streams the roster needs, and which one carries each served tenant.

Firehose's dynamic partitioning holds at most `quotas.firehosePartitions` active partitions per stream
(tiers/quotas.py); each served tenant is one (its `tenant=<id>/` prefix of the day). N starts at the
streams the served tenants fill to HEADROOM of the quota on average (a count that never goes down as the
roster grows), then rises one at a time until the busiest stream fits: hashing spreads tenants unevenly
(a stream of C tenants varies by about sqrt(C)). Which stream a tenant takes is the shared routing rule
(functions/contracts/delivery_routing.py), so growing from N to N+1 moves only the tenants the new
stream takes, and none of them changes prefix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from functions.contracts.delivery_routing import delivery_stream_index
from functions.contracts.flink_properties import MAX_DELIVERY_STREAMS

HEADROOM = 0.75


@dataclass(frozen=True)
class DeliveryShards:
    count: int  # N, at least 1
    stream_by_tenant: dict[str, int]  # served tenant -> its stream

    def members(self) -> dict[int, tuple[str, ...]]:
        """Stream -> its tenants (roster order), every stream listed, empty ones too."""
        members: dict[int, list[str]] = {stream: [] for stream in range(self.count)}
        for tenant_id, stream in self.stream_by_tenant.items():
            members[stream].append(tenant_id)
        return {stream: tuple(ids) for stream, ids in members.items()}

    @property
    def busiest(self) -> int:
        """The most tenants any one stream carries: its need of active partitions."""
        return max((len(ids) for ids in self.members().values()), default=0)


def initial_stream_count(served: int, partitions_per_stream: int) -> int:
    if partitions_per_stream < 1:
        raise ValueError(f"a delivery stream needs room for at least one partition, got {partitions_per_stream}")
    return max(1, math.ceil(served / (partitions_per_stream * HEADROOM)))


def assign(tenant_ids: Sequence[str], count: int) -> DeliveryShards:
    return DeliveryShards(count, {tenant_id: delivery_stream_index(tenant_id, count) for tenant_id in tenant_ids})


def plan_delivery_shards(
    tenant_ids: Sequence[str], partitions_per_stream: int, max_streams: int = MAX_DELIVERY_STREAMS
) -> DeliveryShards:
    """N streams for the served tenants `tenant_ids`, the busiest within `partitions_per_stream`.

    At most `max_streams` (what the job's property group can name): past it the busiest stream may
    overflow the quota, which the quota check then refuses, asking for the raise that fits.
    """
    count = min(initial_stream_count(len(tenant_ids), partitions_per_stream), max_streams)
    while True:
        shards = assign(tenant_ids, count)
        if shards.busiest <= partitions_per_stream or count >= max_streams:
            return shards
        count += 1
