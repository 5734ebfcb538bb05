"""The rules a tier policy must keep, whatever the overrides say."""

from __future__ import annotations

from tiers.errors import ConfigProblem
from tiers.policy import MAX_PARTITION_KEYS, TierPolicy

# Application Auto Scaling target tracking for Keyspaces accepts 20-90 percent.
MIN_TARGET_UTILIZATION = 20.0
MAX_TARGET_UTILIZATION = 90.0


def check_tier(policy: TierPolicy) -> list[ConfigProblem]:
    subject = f"tier '{policy.name}'"
    problems: list[str] = []
    throttle = policy.throttle
    if throttle.rate_limit <= 0:
        problems.append(f"throttle.rateLimit must be above 0, got {throttle.rate_limit}")
    if throttle.burst_limit < 1:
        problems.append(f"throttle.burstLimit must be at least 1, got {throttle.burst_limit}")
    if throttle.quota_per_day < 1:
        problems.append(f"throttle.quotaPerDay must be at least 1, got {throttle.quota_per_day}")

    expected_iam = "dedicated-role" if policy.storage == "silo" else "pooled-role"
    if policy.iam != expected_iam:
        problems.append(
            f"iam '{policy.iam}' does not fit storage '{policy.storage}' "
            f"(Keyspaces IAM scopes to keyspaces and tables, so {policy.storage} storage needs {expected_iam})"
        )

    scaling = policy.capacity.auto_scaling
    if policy.capacity.mode == "PROVISIONED" and scaling is None:
        problems.append("capacity.mode PROVISIONED needs capacity.autoScaling bounds")
    if policy.capacity.mode == "ON_DEMAND" and scaling is not None:
        problems.append("capacity.autoScaling applies only to capacity.mode PROVISIONED")
    if scaling is not None:
        for kind, low, high in (
            ("read", scaling.read_min, scaling.read_max),
            ("write", scaling.write_min, scaling.write_max),
        ):
            if low < 1 or high < low:
                problems.append(f"capacity.autoScaling needs 1 <= {kind}Min <= {kind}Max, got {low} and {high}")
        if not MIN_TARGET_UTILIZATION <= scaling.target_utilization <= MAX_TARGET_UTILIZATION:
            problems.append(
                f"capacity.autoScaling.targetUtilization must be {MIN_TARGET_UTILIZATION:g}-"
                f"{MAX_TARGET_UTILIZATION:g} percent, got {scaling.target_utilization:g}"
            )

    if not 1 <= policy.partition_keys <= MAX_PARTITION_KEYS:
        problems.append(f"partitionKeys must be 1-{MAX_PARTITION_KEYS}, got {policy.partition_keys}")

    if policy.offboarding == "scale-down" and not (policy.siloed and policy.capacity.mode == "PROVISIONED"):
        problems.append("offboarding 'scale-down' needs silo storage with PROVISIONED capacity")
    return [ConfigProblem(subject, rule) for rule in problems]
