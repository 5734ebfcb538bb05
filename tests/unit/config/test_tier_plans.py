"""Tier resolution: what each tenant gets."""

from __future__ import annotations

from typing import Any

from tests.support.config import base_config, load, roster
from tiers.naming import Namer
from tiers.plan import TenantPlan, plan_tenants


def plans_for(raw: dict[str, Any]) -> dict[str, TenantPlan]:
    config = load(raw)
    return {plan.tenant_id: plan for plan in plan_tenants(config.tenants, config.tiers, Namer("dev"))}


def test_premium_gets_its_own_keyspace_and_role_basic_shares() -> None:
    plans = plans_for(base_config(tenants=roster(("acme-corp", "premium"), ("globex", "basic"), ("hooli", "basic"))))
    acme, globex, hooli = plans["acme-corp"], plans["globex"], plans["hooli"]
    assert (acme.keyspace, acme.role_name, acme.has_own_keyspace) == (
        "tenant_acme_corp",
        "tenant-pipeline-dev-tenant-acme-corp",
        True,
    )
    assert globex.keyspace == hooli.keyspace == "tenants_pool"
    assert globex.role_name == hooli.role_name == "tenant-pipeline-dev-pooled-tenants"
    assert globex.s3_prefix == "tenant=globex/"


def test_offboarded_tenants_are_not_served_and_keep_data_per_strategy() -> None:
    tenants = [{"id": "acme", "tier": "premium", "status": "offboarded"}]
    retained = plans_for(base_config(tenants=tenants))["acme"]
    assert (retained.served, retained.has_own_keyspace) == (False, True)
    deleted = plans_for(base_config(tenants=tenants, tiers={"premium": {"offboarding": "delete"}}))["acme"]
    assert (deleted.served, deleted.has_own_keyspace) == (False, False)
