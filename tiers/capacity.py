"""Keyspaces table capacity and data protection for a keyspace (a silo tenant's, or the pool's), before and after
offboarding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tiers.policy import AutoScaling, KeyspaceSettings

ThroughputMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
# Amazon Keyspaces' smallest provisioned table: 1 read and 1 write capacity unit.
MIN_CAPACITY_UNITS = 1


@dataclass(frozen=True)
class TableCapacity:
    throughput_mode: ThroughputMode
    read_units: int | None  # PROVISIONED only: the starting point auto scaling moves from
    write_units: int | None
    auto_scaling: AutoScaling | None
    point_in_time_recovery: bool


def table_capacity(settings: KeyspaceSettings, *, scaled_down: bool = False) -> TableCapacity:
    """ON_DEMAND tables pay per request; PROVISIONED ones start at their minimum and auto scale.

    `scaled_down`: an offboarded tenant under the `scale-down` strategy keeps its tables at the
    smallest fixed capacity, without auto scaling, until someone decides what to do with the data.
    """
    pitr = settings.point_in_time_recovery
    if settings.capacity.mode == "ON_DEMAND":
        return TableCapacity("PAY_PER_REQUEST", None, None, None, pitr)
    scaling = settings.capacity.auto_scaling
    if scaling is None:  # validation refuses it first (tiers/validation.py check_keyspace)
        raise ValueError("PROVISIONED capacity needs auto scaling bounds")
    if scaled_down:
        return TableCapacity("PROVISIONED", MIN_CAPACITY_UNITS, MIN_CAPACITY_UNITS, None, pitr)
    return TableCapacity("PROVISIONED", scaling.read_min, scaling.write_min, scaling, pitr)


@dataclass(frozen=True)
class ScalingDimension:
    """One Application Auto Scaling target on a Keyspaces table, with its target-tracking policy."""

    kind: Literal["read", "write"]
    scalable_dimension: str
    predefined_metric: str
    min_capacity: int
    max_capacity: int
    target_utilization: float


def scaling_dimensions(scaling: AutoScaling) -> tuple[ScalingDimension, ScalingDimension]:
    return (
        ScalingDimension(
            "read",
            "cassandra:table:ReadCapacityUnits",
            "CassandraReadCapacityUtilization",
            scaling.read_min,
            scaling.read_max,
            scaling.target_utilization,
        ),
        ScalingDimension(
            "write",
            "cassandra:table:WriteCapacityUnits",
            "CassandraWriteCapacityUtilization",
            scaling.write_min,
            scaling.write_max,
            scaling.target_utilization,
        ),
    )
