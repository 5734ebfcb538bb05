"""The application's compute role: what tenant microservices run as; it brokers the tenant roles."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.storage.policies import AccountScope, application_policy, application_trust_policy
from tiers.naming import Namer, logical


@dataclass
class ApplicationRoleArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    tags: Mapping[str, str]


class ApplicationRole(pulumi.ComponentResource):
    """ECS tasks and Lambda functions may run as it; it may assume exactly the tenant roles."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, args: ApplicationRoleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:ApplicationRole", name, None, opts)
        namer = args.namer
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            logical(name, "role"),
            name=namer.application_role(),
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(application_trust_policy(AccountScope(args.region, account)))
            ),
            description="tenant-pipeline application compute: assumes one tenant's role per request",
            tags=dict(args.tags),
            opts=child,
        )
        path = namer.tenant_role_path()
        aws.iam.RolePolicy(
            logical(name, "assume-tenant-roles"),
            role=role.id,
            name=namer.physical("iam-policy", "assume-tenant-roles"),
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(application_policy(account, path))
            ),
            opts=child,
        )
        self.arn = role.arn
        self.register_outputs({"arn": role.arn})
