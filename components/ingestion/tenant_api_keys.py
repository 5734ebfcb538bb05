"""Noisy-neighbour control: one usage plan per tier, one API key per served tenant on its tier's plan.

Per tenant this declares exactly two resources (the key and its usage-plan membership), so the
stack grows by two per tenant. The key's value is derived from the authorizer's secret, so the
authorizer can name the caller's key without any per-tenant lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import tenant_tags, tier_tags
from functions.contracts.api_keys import tenant_api_key
from tiers.naming import Namer, logical
from tiers.plan import TenantPlan
from tiers.policy import TierPolicy


@dataclass
class TenantApiKeysArgs:
    namer: Namer
    tiers: Mapping[str, TierPolicy]
    tenants: Sequence[TenantPlan]
    rest_api_id: pulumi.Input[str]
    stage_name: pulumi.Input[str]
    secret: pulumi.Output[str]
    tags: Mapping[str, str]


class TenantApiKeys(pulumi.ComponentResource):
    usage_plans: dict[str, aws.apigateway.UsagePlan]

    def __init__(self, name: str, args: TenantApiKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:TenantApiKeys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer = args.namer
        tags = args.tags

        self.usage_plans = {}
        for tier in args.tiers.values():
            throttle = tier.throttle
            self.usage_plans[tier.name] = aws.apigateway.UsagePlan(
                logical(name, "plan", tier.name),
                name=namer.physical("api", "plan", tier.name),
                description=f"Tier {tier.name}: every tenant of the tier gets these limits on its own key",
                api_stages=[{"api_id": args.rest_api_id, "stage": args.stage_name}],
                throttle_settings={"rate_limit": throttle.rate_limit, "burst_limit": throttle.burst_limit},
                quota_settings={"limit": throttle.quota_per_day, "period": "DAY"},
                tags=tier_tags(tags, tier.name),
                opts=child,
            )

        for plan in args.tenants:
            if not plan.served:
                continue  # offboarded: no key, so the API refuses the tenant even with a valid token
            key = aws.apigateway.ApiKey(
                logical(name, "key", plan.tenant_id),
                name=namer.physical("api", "key", plan.tenant_id),
                description=f"Tenant {plan.tenant_id} ({plan.tier.name})",
                enabled=True,
                value=_key_value(args.secret, plan.tenant_id),
                # Tags cost nothing per resource and attribute API usage to the tenant.
                tags=tenant_tags(tags, plan),
                opts=child,
            )
            aws.apigateway.UsagePlanKey(
                logical(name, "plan-key", plan.tenant_id),
                key_id=key.id,
                key_type="API_KEY",
                usage_plan_id=self.usage_plans[plan.tier.name].id,
                opts=child,
            )
        self.register_outputs({"usagePlanIds": {tier: plan.id for tier, plan in self.usage_plans.items()}})


def _key_value(secret: pulumi.Output[str], tenant_id: str) -> pulumi.Output[str]:
    """The tenant's key value (what the authorizer returns as usageIdentifierKey), kept secret."""
    return pulumi.Output.secret(secret.apply(lambda value: tenant_api_key(value, tenant_id)))
