"""Noisy-neighbour control: one usage plan per tier, one API key per served tenant on its tier's plan.

Per tenant this declares exactly two resources (the key and its usage-plan membership), so the
stack grows by two per tenant. The key's value is derived from the authorizer's secret, so the
authorizer can name the caller's key without any per-tenant lookup. In an environment with cells the
platform declares the usage plans here (`tenants` empty) and each cell its tenants' keys on them
(components/cells/cell_api_keys.py, with declare_tenant_key).
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
            if plan.served:  # offboarded: no key, so the API refuses the tenant even with a valid token
                declare_tenant_key(
                    TenantKeyArgs(
                        owner=name,
                        namer=namer,
                        plan=plan,
                        usage_plan_id=self.usage_plans[plan.tier.name].id,
                        secret=args.secret,
                        tags=tags,
                    ),
                    child,
                )
        self.register_outputs({"usagePlanIds": self.usage_plan_ids()})

    def usage_plan_ids(self) -> pulumi.Output[dict[str, str]]:
        """Tier -> its usage plan's id (the platform's `usagePlanIds`, which cells put their keys on)."""
        return pulumi.Output.all(**{tier: plan.id for tier, plan in self.usage_plans.items()})


@dataclass(frozen=True)
class TenantKeyArgs:
    owner: str  # the logical name of the component that holds the key
    namer: Namer
    plan: TenantPlan
    usage_plan_id: pulumi.Input[str]  # its tier's usage plan
    secret: pulumi.Output[str]  # the authorizer's API key secret
    tags: Mapping[str, str]


def declare_tenant_key(args: TenantKeyArgs, opts: pulumi.ResourceOptions) -> aws.apigateway.ApiKey:
    """A served tenant's API key and its place on its tier's usage plan: the two resources a tenant costs here.

    The key's value is derived from the secret, the tenant and its key salt (`plan.key_cell`), as the authorizer
    derives it from the tenant's directory record.
    """
    plan = args.plan
    key = aws.apigateway.ApiKey(
        logical(args.owner, "key", plan.tenant_id),
        name=args.namer.physical("api", "key", plan.tenant_id),
        description=f"Tenant {plan.tenant_id} ({plan.tier.name})",
        enabled=True,
        value=_key_value(args.secret, plan.tenant_id, plan.key_cell),
        # Tags cost nothing per resource and attribute API usage to the tenant.
        tags=tenant_tags(args.tags, plan),
        opts=opts,
    )
    aws.apigateway.UsagePlanKey(
        logical(args.owner, "plan-key", plan.tenant_id),
        key_id=key.id,
        key_type="API_KEY",
        usage_plan_id=args.usage_plan_id,
        opts=opts,
    )
    return key


def _key_value(secret: pulumi.Output[str], tenant_id: str, key_cell: str | None) -> pulumi.Output[str]:
    """The tenant's key value (what the authorizer returns as usageIdentifierKey), kept secret."""
    return pulumi.Output.secret(secret.apply(lambda value: tenant_api_key(value, tenant_id, key_cell)))
