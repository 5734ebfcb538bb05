"""A tenant data role: trusted by the application role only, with one inline policy of tenant data.

A plain function, not a component: it is declared once per silo tenant (and once per pooled shard),
so it adds no registration of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.storage.policies import AccountScope
from tiers.naming import Namer, logical
from tiers.pooled_roles import trust_policy_text


@dataclass
class TenantRoleArgs:
    owner: str  # the logical name of the declaring component
    role_name: str
    description: str
    trust_policy: Callable[[str], dict[str, Any]]  # application role ARN -> trust policy
    data_policy: Callable[[AccountScope, str], dict[str, Any]]  # (account scope, bucket ARN) -> policy
    region: str
    account_id: pulumi.Input[str]
    ingest_bucket_arn: pulumi.Input[str]
    application_role_arn: pulumi.Input[str]
    tags: dict[str, str]
    role: str = "role"  # the role's part of its logical name, `<owner>-<role>`; its policy is `<owner>-<role>-policy`


def declare_tenant_role(namer: Namer, args: TenantRoleArgs, opts: pulumi.ResourceOptions) -> aws.iam.Role:
    """The role and its policy, with `opts` (their parent, and aliases where they moved)."""
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
    aws.iam.RolePolicy(
        logical(args.owner, args.role, "policy"),
        role=role.id,
        name=namer.physical("iam-policy", "tenant-data"),
        policy=pulumi.Output.all(args.account_id, args.ingest_bucket_arn).apply(
            lambda values: json.dumps(args.data_policy(AccountScope(args.region, values[0]), values[1]))
        ),
        opts=child,
    )
    return role
