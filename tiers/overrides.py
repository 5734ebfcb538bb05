"""Merging the stack's `tenant-pipeline:tiers` overrides onto the default tier policies."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tiers.defaults import DEFAULT_TIERS, PROVISIONED_BOUNDS
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.policy import (
    CAPACITY_MODES,
    IAM_MODELS,
    OFFBOARDING_STRATEGIES,
    STORAGE_MODELS,
    AutoScaling,
    Capacity,
    Throttle,
    TierPolicy,
)
from tiers.validation import check_tier

_TIER_KEYS = {
    "storage",
    "capacity",
    "throttle",
    "iam",
    "pointInTimeRecovery",
    "offboarding",
    "partitionKeys",
    "analytics",
}


def resolve_tiers(raw_overrides: Any, problems: list[ConfigProblem]) -> dict[str, TierPolicy]:
    """The effective policy of every tier: defaults, then overrides, then validation."""
    tiers = dict(DEFAULT_TIERS)
    top = Fields(raw_overrides, "tenant-pipeline:tiers", "tiers", problems)
    for name, raw in top.raw.items():
        if name not in tiers:
            problems.append(
                ConfigProblem(f"tier '{name}'", f"is not a tier of this product (tiers: {', '.join(tiers)})")
            )
            continue
        tiers[name] = _override(tiers[name], Fields(raw, f"tier '{name}'", f"tiers.{name}", problems))
    for policy in tiers.values():
        problems.extend(check_tier(policy))
    return tiers


def _override(base: TierPolicy, fields: Fields) -> TierPolicy:
    fields.reject_unknown(_TIER_KEYS)
    return replace(
        base,
        storage=fields.choice("storage", STORAGE_MODELS, base.storage),
        iam=fields.choice("iam", IAM_MODELS, base.iam),
        capacity=_capacity(base.capacity, fields.sub("capacity")),
        throttle=_throttle(base.throttle, fields.sub("throttle")),
        point_in_time_recovery=fields.get("pointInTimeRecovery", bool, base.point_in_time_recovery),
        offboarding=fields.choice("offboarding", OFFBOARDING_STRATEGIES, base.offboarding),
        partition_keys=fields.get("partitionKeys", int, base.partition_keys),
        query_bytes_scanned_cutoff=_query_cutoff(base.query_bytes_scanned_cutoff, fields.sub("analytics")),
    )


def _query_cutoff(base: int, fields: Fields) -> int:
    fields.reject_unknown({"bytesScannedCutoffPerQuery"})
    return fields.get("bytesScannedCutoffPerQuery", int, base)


def _throttle(base: Throttle, fields: Fields) -> Throttle:
    fields.reject_unknown({"rateLimit", "burstLimit", "quotaPerDay"})
    return Throttle(
        rate_limit=fields.get("rateLimit", float, base.rate_limit),
        burst_limit=fields.get("burstLimit", int, base.burst_limit),
        quota_per_day=fields.get("quotaPerDay", int, base.quota_per_day),
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
