"""Reading a keyspace's settings from config: `capacity` (mode, autoScaling bounds) and `pointInTimeRecovery`.

The same block is a silo tier's (`tenant-pipeline:tiers.<name>`: each tenant's own keyspace) and the pool's
(`tenant-pipeline:pool`: the shared tables); what the values may be is tiers/validation.py's check_keyspace.
"""

from __future__ import annotations

from tiers.defaults import PROVISIONED_BOUNDS
from tiers.fields import Fields
from tiers.policy import CAPACITY_MODES, AutoScaling, Capacity, KeyspaceSettings

KEYSPACE_KEYS = frozenset({"capacity", "pointInTimeRecovery"})


def read_keyspace_settings(base: KeyspaceSettings, fields: Fields) -> KeyspaceSettings:
    """`base` with the block's `capacity` and `pointInTimeRecovery`, field by field."""
    return KeyspaceSettings(
        capacity=_capacity(base.capacity, fields.sub("capacity")),
        point_in_time_recovery=fields.get("pointInTimeRecovery", bool, base.point_in_time_recovery),
    )


def _capacity(base: Capacity, fields: Fields) -> Capacity:
    fields.reject_unknown({"mode", "autoScaling"})
    mode = fields.choice("mode", CAPACITY_MODES, base.mode)
    auto_scaling = base.auto_scaling
    if fields.has("autoScaling"):
        auto_scaling = _auto_scaling(base.auto_scaling, fields.sub("autoScaling"))
    elif mode == "ON_DEMAND":
        auto_scaling = None  # switching to on-demand drops the provisioned bounds
    return Capacity(mode=mode, auto_scaling=auto_scaling)


def _auto_scaling(base: AutoScaling | None, fields: Fields) -> AutoScaling:
    fields.reject_unknown({"readMin", "readMax", "writeMin", "writeMax", "targetUtilization"})
    start = base or PROVISIONED_BOUNDS
    return AutoScaling(
        read_min=fields.get("readMin", int, start.read_min),
        read_max=fields.get("readMax", int, start.read_max),
        write_min=fields.get("writeMin", int, start.write_min),
        write_max=fields.get("writeMax", int, start.write_max),
        target_utilization=fields.get("targetUtilization", float, start.target_utilization),
    )
