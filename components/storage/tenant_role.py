"""A tenant data role: trusted by the application role only, with one inline policy of tenant data.

A plain function, not a component: it is declared once per silo tenant (and once per pooled shard),
so it adds no registration of its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.storage.policies import AccountScope
from tiers.naming import Namer, logical
from tiers.pooled_roles import trust_policy_text

# (account scope, ingest bucket ARN) -> a policy document
PolicyOf = Callable[[AccountScope, str], dict[str, Any]]


@dataclass
class TenantRoleArgs:
    owner: str  # the logical name of the declaring component
    role_name: str
    description: str
    trust_policy: Callable[[str], dict[str, Any]]  # application role ARN -> trust policy
    data_policy: PolicyOf  # its tenant data
    analytics_policy: PolicyOf  # its tenant's Athena queries (analytics_policy.py)
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket_arn: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: dict[str, str]
    # The role's part of its logical name, `<owner>-<role>`; its policies are `<owner>-<role>-policy` (its tenant
    # data) and `<owner>-<role>-analytics` (its tenant's queries).
    role: str = "role"


def declare_tenant_role(namer: Namer, args: TenantRoleArgs, opts: pulumi.ResourceOptions) -> aws.iam.Role:
    """The role and its two policies, with `opts` (their parent, and aliases where they moved)."""
    child = opts
    role = aws.iam.Role(
        logical(args.owner, args.role),
        name=args.role_name,
        path=namer.tenant_role_path(),
        assume_role_policy=pulumi.Output.from_input(args.application_role_arn).apply(
            lambda arn: trust_policy_text(args.trust_policy(arn))
        ),
        description=args.description,
        tags=args.tags,
        opts=child,
    )
    for part, policy_name, document in (
        ("policy", "tenant-data", args.data_policy),
        ("analytics", "tenant-analytics", args.analytics_policy),
    ):
        aws.iam.RolePolicy(
            logical(args.owner, args.role, part),
            role=role.id,
            name=namer.physical("iam-policy", policy_name),
            policy=pulumi.Output.all(args.account_id, args.ingest_bucket_arn).apply(
                functools.partial(_policy_text, args.region, document)
            ),
            opts=child,
        )
    return role


def _policy_text(region: str, document: PolicyOf, values: list[str]) -> str:
    """One of the role's policies, once the account and the ingest bucket's ARN are known."""
    account_id, bucket_arn = values
    return json.dumps(document(AccountScope(region, account_id), bucket_arn))
