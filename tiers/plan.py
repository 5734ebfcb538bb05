"""Tier resolution: what each tenant of the roster gets, before any resource is declared."""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.directory import TenantStatus
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from tiers import offboarding
from tiers.model import TenantSpec
from tiers.naming import Namer
from tiers.policy import TierPolicy


@dataclass(frozen=True)
class TenantPlan:
    tenant_id: str
    status: TenantStatus
    tier: TierPolicy
    keyspace: str  # its own (silo) or the pooled keyspace
    s3_prefix: str
    role_name: str  # its own role (silo) or the shared pooled role

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


def plan_tenant(tenant: TenantSpec, tier: TierPolicy, namer: Namer) -> TenantPlan:
    return TenantPlan(
        tenant_id=tenant.id,
        status=tenant.status,
        tier=tier,
        keyspace=silo_keyspace(tenant.id) if tier.siloed else POOLED_KEYSPACE,
        s3_prefix=tenant_s3_prefix(tenant.id),
        role_name=namer.tenant_role(tenant.id) if tier.siloed else namer.pooled_tenant_role(),
    )


def plan_tenants(tenants: tuple[TenantSpec, ...], tiers: dict[str, TierPolicy], namer: Namer) -> list[TenantPlan]:
    return [plan_tenant(tenant, tiers[tenant.tier], namer) for tenant in tenants]
