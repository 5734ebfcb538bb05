"""Cost-attribution tags: every resource says which platform and environment it belongs to, a tier's resources
which tier, the pool's resources that they are the pool's (shared by every pooled tier), and a tenant's resources
whose tenant and tier. The one way tags travel: a component gets `tags` in its Args from its
parent and adds what it knows (a tier, a tenant), never building them from scratch."""

from __future__ import annotations

from collections.abc import Mapping

from tiers.naming import PROJECT
from tiers.plan import TenantPlan
from tiers.policy import StorageModel


def platform_tags(environment: str) -> dict[str, str]:
    return {"Project": PROJECT, "Environment": environment}


def tier_tags(tags: Mapping[str, str], tier: str) -> dict[str, str]:
    return {**tags, "Tier": tier}


def storage_tags(tags: Mapping[str, str], storage: StorageModel) -> dict[str, str]:
    """A resource shared by every tier of one storage model (the pool's): no tier owns it."""
    return {**tags, "Storage": storage}


def tenant_tags(tags: Mapping[str, str], plan: TenantPlan) -> dict[str, str]:
    return {**tier_tags(tags, plan.tier.name), "TenantId": plan.tenant_id}
