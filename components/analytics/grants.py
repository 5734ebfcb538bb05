"""Which tenant identities get analytics, and for which tiers' workgroups: plain data from the tenant plans.

A premium tenant's role (its silo side, also while it migrates) queries as that tenant, in its tier's
workgroup. A pooled shard's role queries as its session's tenant, in the workgroups of its tenants' tiers
(with one pooled tier, one workgroup; if several pooled tiers share a shard, each of its sessions may use any
of them: an IAM policy cannot map a session's tag to its tenant's tier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tiers.plan import TenantPlan, pooled_role_members


@dataclass(frozen=True)
class AnalyticsGrant:
    role: str  # the grant's part of its logical name: `tenant-<id>` or `pooled-<shard>`
    tenant_id: str | None  # a silo role's tenant; None for a pooled role (its session tag names the tenant)
    tiers: tuple[str, ...]  # the tiers whose workgroups it may use
    shard: int | None = None  # a pooled role's shard


def analytics_grants(plans: Sequence[TenantPlan], silo_roles: Sequence[str]) -> list[AnalyticsGrant]:
    """`silo_roles`: the tenants whose own role is declared (storage's silo role ARNs, by tenant id)."""
    tier_of = {plan.tenant_id: plan.tier.name for plan in plans}
    grants = [
        AnalyticsGrant(f"tenant-{tenant_id}", tenant_id, (tier_of[tenant_id],))
        for tenant_id in silo_roles
        if tenant_id in tier_of
    ]
    grants += [
        AnalyticsGrant(f"pooled-{shard}", None, tuple(sorted({tier_of[t] for t in tenants})), shard)
        for shard, tenants in pooled_role_members(plans).items()
    ]
    return grants
