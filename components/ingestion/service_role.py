"""A role an AWS service assumes for the pipeline, with its one inline policy.

Every pipeline role is this pair; the documents come from policies/pipeline.py as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from tiers.naming import logical


@dataclass(frozen=True)
class ServiceRole:
    role: aws.iam.Role
    policy: aws.iam.RolePolicy  # depend on it where the service checks its access at creation


def declare_service_role(
    owner: str,
    *,
    name: str,
    description: str,
    trust_policy: pulumi.Input[str],
    policy: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> ServiceRole:
    """`<owner>-role` and `<owner>-policy`, children of `parent`."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        logical(owner, "role"),
        name=name,
        description=description,
        assume_role_policy=trust_policy,
        tags=dict(tags),
        opts=child,
    )
    role_policy = aws.iam.RolePolicy(logical(owner, "policy"), role=role.id, policy=policy, opts=child)
    return ServiceRole(role, role_policy)
