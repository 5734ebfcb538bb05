"""Cost-attribution tags: every tenant resource says whose it is, in which tier and environment."""

from __future__ import annotations

from components.naming import PROJECT
from tiers.plan import TenantPlan


def platform_tags(environment: str) -> dict[str, str]:
    return {"Project": PROJECT, "Environment": environment}


def tenant_tags(plan: TenantPlan, environment: str) -> dict[str, str]:
    return {**platform_tags(environment), "TenantId": plan.tenant_id, "Tier": plan.tier.name}
