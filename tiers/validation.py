"""The rules a tier policy and a keyspace's settings must keep, whatever the config says; and what a tenant's
migration block may say."""

from __future__ import annotations

from collections.abc import Mapping

from functions.contracts.migration import VERIFIED_DIGEST, is_verified_digest
from tiers import offboarding
from tiers.errors import ConfigProblem
from tiers.model import TenantSpec
from tiers.policy import MAX_PARTITION_KEYS, MIN_QUERY_BYTES_SCANNED_CUTOFF, KeyspaceSettings, TierPolicy

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
    if policy.own_keyspace is not None:
        problems.extend(check_keyspace(policy.own_keyspace))
    if not 1 <= policy.partition_keys <= MAX_PARTITION_KEYS:
        problems.append(f"partitionKeys must be 1-{MAX_PARTITION_KEYS}, got {policy.partition_keys}")
    if policy.query_bytes_scanned_cutoff < MIN_QUERY_BYTES_SCANNED_CUTOFF:
        problems.append(
            f"analytics.bytesScannedCutoffPerQuery must be at least {MIN_QUERY_BYTES_SCANNED_CUTOFF:,} "
            f"(Athena's minimum, 10 MB), got {policy.query_bytes_scanned_cutoff:,}"
        )
    own = policy.own_keyspace
    if policy.offboarding == "scale-down" and not (own is not None and own.capacity.mode == "PROVISIONED"):
        problems.append("offboarding 'scale-down' needs silo storage with PROVISIONED capacity")
    return [ConfigProblem(subject, rule) for rule in problems]


def check_keyspace(settings: KeyspaceSettings) -> list[str]:
    """What a keyspace's capacity may be: a silo tier's own keyspaces, or the pool's."""
    problems: list[str] = []
    scaling = settings.capacity.auto_scaling
    if settings.capacity.mode == "PROVISIONED" and scaling is None:
        problems.append("capacity.mode PROVISIONED needs capacity.autoScaling bounds")
    if settings.capacity.mode == "ON_DEMAND" and scaling is not None:
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
    return problems


def check_migration(tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> list[ConfigProblem]:
    """A migration moves a served tenant between storage models, from a known tier; verified from cutover on.

    Whether it follows from what is deployed (the previous tier, the previous state) is tiers/transitions.py's.
    """
    migration = tenant.migration
    if migration is None:
        return []
    where = f"{tenant.where}.migration"
    problems: list[str] = []
    source = tiers.get(migration.from_tier)
    if not offboarding.is_served(tenant.status):
        problems.append(
            f"{where}: an offboarded tenant cannot be migrating; finish the migration (state done, then remove "
            "the block) before offboarding"
        )
    if source is None:
        problems.append(
            f"{where}.from: tier '{migration.from_tier}' is not defined (tiers: {', '.join(sorted(tiers))})"
        )
    elif migration.from_tier == tenant.tier:
        problems.append(f"{where}.from is '{tenant.tier}', the tier it moves to: a migration moves between two tiers")
    elif tenant.tier in tiers and source.storage == tiers[tenant.tier].storage:
        problems.append(
            f"{where}: '{migration.from_tier}' and '{tenant.tier}' both use {source.storage} storage, so the data "
            f"stays where it is: remove the block and set the tier alone"
        )
    if migration.verified is not None and not is_verified_digest(migration.verified):
        problems.append(
            f"{where}.verified '{migration.verified}' is not the migration job's digest ({VERIFIED_DIGEST.pattern})"
        )
    if migration.state != "copying" and migration.verified is None:
        problems.append(
            f"{where}.verified is required in state {migration.state}: `make migrate` prints it once the copy is "
            "verified, with the commands for the next step"
        )
    return [ConfigProblem(f"tenant '{tenant.id}'", rule) for rule in problems]
