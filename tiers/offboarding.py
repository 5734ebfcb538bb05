"""What offboarding does to a tenant's data, by the tier's strategy (retain, delete, scale-down)."""

from __future__ import annotations

from tiers.plan import TenantPlan
from tiers.policy import TierPolicy


def data_protected(tier: TierPolicy) -> bool:
    """Stateful resources refuse deletion (Pulumi `protect`) unless the strategy is to delete them."""
    return tier.offboarding != "delete"


def scaled_down(plan: TenantPlan) -> bool:
    """An offboarded premium tenant whose tier keeps its keyspace at minimum capacity."""
    return not plan.served and plan.tier.offboarding == "scale-down"
