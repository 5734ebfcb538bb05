"""Tier resolution: what each tenant of the roster gets, before any resource is declared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from functions.contracts.directory import TenantStatus
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from tiers import offboarding
from tiers.model import Quotas, TenantSpec
from tiers.naming import Namer
from tiers.policy import TierPolicy
from tiers.pooled_roles import PooledShards, plan_pooled_shards, planning_application_role_arn


@dataclass(frozen=True)
class TenantPlan:
    tenant_id: str
    status: TenantStatus
    tier: TierPolicy
    keyspace: str  # its own (silo) or the pooled keyspace
    s3_prefix: str
    # Its own role (silo), or its shard's pooled role; None once it is not served (it has no role then).
    role_name: str | None
    pooled_shard: int | None = None  # served basic tenants: which pooled role trusts its id

    # What offboarding leaves: tiers/offboarding.py.
    @property
    def served(self) -> bool:
        return offboarding.is_served(self.status)

    @property
    def has_own_keyspace(self) -> bool:
        return offboarding.keeps_own_keyspace(self.tier, self.status)

    @property
    def data_protected(self) -> bool:
        return offboarding.data_protected(self.tier)

    @property
    def scaled_down(self) -> bool:
        return offboarding.scaled_down(self.tier, self.status)


def plan_tenant(tenant: TenantSpec, tier: TierPolicy, namer: Namer, pooled_shard: int | None = None) -> TenantPlan:
    """`pooled_shard`: the served basic tenant's shard (plan_tenants computes them for the whole roster)."""
    served = offboarding.is_served(tenant.status)
    if tier.siloed:
        role_name = namer.tenant_role(tenant.id) if served else None
    elif not served:
        role_name = None
    elif pooled_shard is None:
        raise ValueError(f"tenant {tenant.id!r}: a served basic tenant needs its pooled shard (plan_tenants)")
    else:
        role_name = namer.pooled_tenant_role(pooled_shard)
    return TenantPlan(
        tenant_id=tenant.id,
        status=tenant.status,
        tier=tier,
        keyspace=silo_keyspace(tenant.id) if tier.siloed else POOLED_KEYSPACE,
        s3_prefix=tenant_s3_prefix(tenant.id),
        role_name=role_name,
        pooled_shard=None if tier.siloed or not served else pooled_shard,
    )


def pooled_shards(
    tenants: Sequence[TenantSpec], tiers: dict[str, TierPolicy], namer: Namer, trust_policy_length: int
) -> PooledShards:
    """The served basic tenants' shards: ConfigError if one tenant's trust policy cannot fit the quota."""
    pooled = [t.id for t in tenants if not tiers[t.tier].siloed and offboarding.is_served(t.status)]
    return plan_pooled_shards(pooled, planning_application_role_arn(namer.application_role()), trust_policy_length)


def plan_tenants(
    tenants: tuple[TenantSpec, ...],
    tiers: dict[str, TierPolicy],
    namer: Namer,
    trust_policy_length: int = Quotas().role_trust_policy_length,
) -> list[TenantPlan]:
    shards = pooled_shards(tenants, tiers, namer, trust_policy_length).shard_by_tenant
    return [plan_tenant(tenant, tiers[tenant.tier], namer, shards.get(tenant.id)) for tenant in tenants]


def pooled_role_members(plans: Sequence[TenantPlan]) -> dict[int, tuple[str, ...]]:
    """Shard -> the tenant ids its pooled role trusts, for the shards that serve any tenant."""
    members: dict[int, list[str]] = {}
    for plan in plans:
        if plan.pooled_shard is not None:
            members.setdefault(plan.pooled_shard, []).append(plan.tenant_id)
    return {shard: tuple(members[shard]) for shard in sorted(members)}
