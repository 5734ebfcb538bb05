"""The application's compute role: what tenant microservices run as; it brokers the tenant roles and reads
the published tenant directory (the DAL's TenantDirectory.from_s3)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.ingestion.policies import tenant_directory_policy
from components.storage.policies import AccountScope, application_policy, application_trust_policy
from tiers.naming import Namer, logical, s3_bucket_arn


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
        # The directory's name is derived (Namer.directory_bucket), so the grant needs nothing declared later.
        aws.iam.RolePolicy(
            logical(name, "read-tenant-directory"),
            role=role.id,
            name=namer.physical("iam-policy", "read-tenant-directory"),
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(
                    tenant_directory_policy(s3_bucket_arn(namer.directory_bucket(account, args.region)))
                )
            ),
            opts=child,
        )
        self.arn = role.arn
        self.register_outputs({"arn": role.arn})
