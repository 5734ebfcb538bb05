"""The API's TOKEN authorizer: a Lambda verifying Cognito ID tokens, and the secret of the API keys.

Every tenant's API key value is derived from one generated secret (functions/authorizer/api_keys.py).
The secret lives in an SSM SecureString under a key of its own; the authorizer may read that one
parameter and decrypt it only through SSM. It reads each tenant's status and tier from the published
tenant directory: it lists the slices under DIRECTORY_PREFIX and GETs them (SSE-S3, so no key policy is involved).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.build_artifacts import authorizer_code
from components.ingestion.policies import LAMBDA, assume_role_policy, authorizer_policy
from components.ingestion.service_role import declare_service_role
from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.lambda_runtime import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from tiers.naming import Namer, logical, s3_bucket_arn

RUNTIME = LAMBDA_RUNTIME  # the authorizer's tests run on this Python (.venv-authorizer)
# functions/authorizer/handler.py, at the same path in build/authorizer: the package uses relative imports.
HANDLER = "functions.authorizer.handler.handler"
MEMORY_MB = 256
TIMEOUT_SECONDS = 10  # API Gateway waits at most 29 s for an authorizer
SECRET_LENGTH = 64
LOG_RETENTION_DAYS = 30


@dataclass
class ApiAuthorizerArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    user_pool_id: pulumi.Input[str]
    app_client_ids: pulumi.Input[list[str]]
    # The published tenant directory's bucket; its slices are under DIRECTORY_PREFIX.
    directory_bucket: pulumi.Input[str]
    tags: Mapping[str, str]


class ApiAuthorizer(pulumi.ComponentResource):
    function: aws.lambda_.Function
    secret: pulumi.Output[str]
    parameter: aws.ssm.Parameter

    def __init__(self, name: str, args: ApiAuthorizerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:ApiAuthorizer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer, tags = args.namer, dict(args.tags)

        secrets_key = aws.kms.Key(
            logical(name, "secrets-key"),
            description=f"Encrypts the {namer.prefix} API key secret (SSM)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=child,
        )
        aws.kms.Alias(
            logical(name, "secrets-key-alias"),
            name=namer.kms_alias("api-key-secret"),
            target_key_id=secrets_key.key_id,
            opts=child,
        )
        password = random.RandomPassword(
            logical(name, "api-key-secret"), length=SECRET_LENGTH, special=False, opts=child
        )
        self.secret = pulumi.Output.secret(password.result)
        self.parameter = aws.ssm.Parameter(
            logical(name, "api-key-secret"),
            name=namer.physical("ssm-parameter", "authorizer", "api-key-secret"),
            description="Secret from which every tenant's API Gateway key value is derived",
            type="SecureString",
            key_id=secrets_key.arn,
            value=self.secret,
            tags=tags,
            opts=child,
        )

        function_name = namer.physical("lambda", "authorizer")
        log_group = aws.cloudwatch.LogGroup(
            logical(name, "logs"),
            name=f"/aws/lambda/{function_name}",
            retention_in_days=LOG_RETENTION_DAYS,
            tags=tags,
            opts=child,
        )
        service = declare_service_role(
            name,
            name=namer.physical("iam-role", "authorizer"),
            description="The API authorizer Lambda: its logs, the API key secret and the tenant directory",
            # Lambda assumes the execution role with the function's account as aws:SourceAccount.
            trust_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: json.dumps(assume_role_policy(LAMBDA, source_account=account))
            ),
            policy=pulumi.Output.all(
                log_group.arn,
                self.parameter.arn,
                secrets_key.arn,
                pulumi.Output.from_input(args.directory_bucket).apply(s3_bucket_arn),
            ).apply(lambda arns: json.dumps(authorizer_policy(arns[0], arns[1], arns[2], args.region, arns[3]))),
            tags=tags,
            parent=self,
        )
        role, role_policy = service.role, service.policy
        self.function = aws.lambda_.Function(
            name,
            name=function_name,
            description="Verifies Cognito ID tokens for the ingest API; the tenant directory gives status and tier",
            runtime=RUNTIME,
            architectures=[LAMBDA_ARCHITECTURE],  # `make authorizer-package` fetches wheels for it
            handler=HANDLER,
            code=authorizer_code(),
            role=role.arn,
            memory_size=MEMORY_MB,
            timeout=TIMEOUT_SECONDS,
            environment={
                "variables": {
                    "USER_POOL_ID": args.user_pool_id,
                    "APP_CLIENT_IDS": pulumi.Output.from_input(args.app_client_ids).apply(",".join),
                    "API_KEY_SECRET_PARAMETER": self.parameter.name,
                    "TENANT_DIRECTORY_BUCKET": args.directory_bucket,
                    "TENANT_DIRECTORY_PREFIX": DIRECTORY_PREFIX,
                }
            },
            logging_config={"log_format": "JSON", "log_group": log_group.name},
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
        self.register_outputs({"functionName": self.function.name, "secretParameter": self.parameter.name})
