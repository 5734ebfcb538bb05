"""The tier catalogue: the default tiers (tiers/defaults.py) with the stack's `tenant-pipeline:tiers` on top.

A stack may override a default tier's fields, add tiers of its own and leave a default unused:

    tenant-pipeline:tiers:
      free:       {storage: pooled, throttle: {rateLimit: 5, burstLimit: 10, quotaPerDay: 10000}, offboarding: delete}
      standard:   {storage: pooled, throttle: {...}, partitionKeys: 2}
      premium:    {throttle: {rateLimit: 800}}            # a default tier: only what changes
      enterprise: {storage: silo, throttle: {...}, capacity: {mode: PROVISIONED, autoScaling: {readMax: 4000}}}

A tier the stack adds names its storage model and its whole throttle; every other field starts from its storage
model's defaults. What belongs to the shared pool is the pool's (tiers/pool.py): a pooled tier that sets a
keyspace option is refused, naming where it goes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from functions.contracts.tiers import TIER_NAME_RULE, is_tier_name
from tiers.defaults import DEFAULT_TIERS, storage_model_defaults
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.keyspace_settings import KEYSPACE_KEYS, read_keyspace_settings
from tiers.policy import IAM_MODELS, OFFBOARDING_STRATEGIES, STORAGE_MODELS, Throttle, TierPolicy
from tiers.pool import POOL_KEY
from tiers.validation import check_tier

TIERS_KEY = "tenant-pipeline:tiers"
THROTTLE_KEYS = ("rateLimit", "burstLimit", "quotaPerDay")
_TIER_KEYS = {"storage", "throttle", "iam", "offboarding", "partitionKeys", "analytics", *KEYSPACE_KEYS}


def resolve_tiers(raw: Any, problems: list[ConfigProblem]) -> dict[str, TierPolicy]:
    """The effective policy of every tier: the defaults, the stack's tiers on top, each validated.

    Default tiers first, then the stack's own in the order it lists them.
    """
    tiers = dict(DEFAULT_TIERS)
    top = Fields(raw, TIERS_KEY, "tiers", problems)
    for name, entry in top.raw.items():
        subject = f"tier '{name}'"
        fields = Fields(entry, subject, f"tiers.{name}", problems)
        policy = _tier(str(name), tiers.get(name), fields)
        if policy is not None:
            tiers[name] = policy
    for policy in tiers.values():
        problems.extend(check_tier(policy))
    return tiers


def _tier(name: str, default: TierPolicy | None, fields: Fields) -> TierPolicy | None:
    """One tier's policy from its entry: a default tier's overrides, or a new tier. None when it cannot be read."""
    fields.reject_unknown(_TIER_KEYS)
    if not is_tier_name(name):
        fields.problem(f"name must be {TIER_NAME_RULE} (a tier's name is part of AWS names, tags and its usage plan)")
        return None
    storage = fields.choice("storage", STORAGE_MODELS, None if default is None else default.storage)
    if storage is None:
        if not fields.has("storage"):
            fields.problem(
                f"{fields.where}.storage is required for a tier the stack adds: one of {', '.join(STORAGE_MODELS)}"
            )
        return None
    if default is None:
        throttle = _new_throttle(fields.sub("throttle"))
        if throttle is None:
            return None
        base = storage_model_defaults(name, storage, throttle)
    elif storage != default.storage:  # a default tier moved to the other model: that model's keyspace defaults
        base = replace(storage_model_defaults(name, storage, default.throttle), partition_keys=default.partition_keys)
    else:
        base = default
    _check_iam(fields, base)
    own_keyspace = base.own_keyspace
    if own_keyspace is None:
        for key in sorted(KEYSPACE_KEYS & set(fields.raw)):
            fields.problem(
                f"{fields.where}.{key} is a silo-only option (each silo tenant's own tables): a pooled tier's tenants "
                f"share the pool's tables, whose {key} is {POOL_KEY}.{key}"
            )
    else:
        own_keyspace = read_keyspace_settings(own_keyspace, fields)
    return replace(
        base,
        throttle=_throttle(base.throttle, fields.sub("throttle")),
        offboarding=fields.choice("offboarding", OFFBOARDING_STRATEGIES, base.offboarding),
        partition_keys=fields.get("partitionKeys", int, base.partition_keys),
        query_bytes_scanned_cutoff=_query_cutoff(base.query_bytes_scanned_cutoff, fields.sub("analytics")),
        own_keyspace=own_keyspace,
    )


def _query_cutoff(base: int, fields: Fields) -> int:
    """`analytics: {bytesScannedCutoffPerQuery: N}`: what one query in the tier's Athena workgroup may scan."""
    fields.reject_unknown({"bytesScannedCutoffPerQuery"})
    return fields.get("bytesScannedCutoffPerQuery", int, base)


def _check_iam(fields: Fields, base: TierPolicy) -> None:
    """`iam` follows from the storage model; the key is accepted for stacks that spell it, when it agrees."""
    iam = fields.choice("iam", IAM_MODELS, base.iam)
    if iam != base.iam:
        fields.problem(
            f"iam '{iam}' does not fit storage '{base.storage}' "
            f"(Keyspaces IAM scopes to keyspaces and tables, so {base.storage} storage needs {base.iam})"
        )


def _new_throttle(fields: Fields) -> Throttle | None:
    """A tier the stack adds gives its whole throttle: its tenants' API limits are what the tier is."""
    missing = [key for key in THROTTLE_KEYS if not fields.has(key)]
    if missing:
        fields.problem(
            f"{fields.where} is required for a tier the stack adds, with {', '.join(THROTTLE_KEYS)} "
            f"(missing: {', '.join(missing)})"
        )
        return None
    return _throttle(Throttle(rate_limit=1.0, burst_limit=1, quota_per_day=1), fields)


def _throttle(base: Throttle, fields: Fields) -> Throttle:
    fields.reject_unknown(set(THROTTLE_KEYS))
    return Throttle(
        rate_limit=fields.get("rateLimit", float, base.rate_limit),
        burst_limit=fields.get("burstLimit", int, base.burst_limit),
        quota_per_day=fields.get("quotaPerDay", int, base.quota_per_day),
    )
