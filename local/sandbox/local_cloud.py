"""The declared AWS resources, created on moto (server mode) as the stack declares them.

Cognito (pool with the tenant attributes, app client, one user per tenant), the ingest bucket, the
published tenant directory (its bucket and object, the declared content), the event stream, the
authorizer's API key secret, and the tenant roles with their inline policies.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from functions.contracts.directory import TenantRecord
from functions.contracts.identity import TENANT_ID
from local.sandbox.declared import DeclaredStack
from local.services.moto_server import LOCAL_CREDENTIALS

# The sandbox signs users in with their password from a script; the declared client allows SRP only,
# which needs a client-side SRP implementation. The pool's own settings are otherwise as declared.
SANDBOX_AUTH_FLOW = "ALLOW_ADMIN_USER_PASSWORD_AUTH"


def aws_client(service: str, endpoint: str, region: str, credentials: dict[str, str] | None = None) -> Any:
    credentials = credentials or {
        "aws_access_key_id": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        **credentials,
    )


def user_email(tenant_id: str) -> str:
    return f"demo@{tenant_id}.example.com"


@dataclass
class LocalCloud:
    """Ids the local resources got, which differ from the mocked ones."""

    endpoint: str
    region: str
    user_pool_id: str
    app_client_id: str
    passwords: dict[str, str] = field(default_factory=dict)  # tenant id -> its demo user's password

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        return aws_client(service, self.endpoint, self.region, credentials)

    def id_token(self, tenant_id: str) -> str:
        result = self.client("cognito-idp").admin_initiate_auth(
            UserPoolId=self.user_pool_id,
            ClientId=self.app_client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user_email(tenant_id), "PASSWORD": self.passwords[tenant_id]},
        )
        return str(result["AuthenticationResult"]["IdToken"])


def _user_pool(stack: DeclaredStack, endpoint: str) -> tuple[str, str]:
    pool, client = stack.user_pool, stack.app_client
    cognito = aws_client("cognito-idp", endpoint, stack.region)
    schema = [
        {
            "Name": attribute["name"],
            "AttributeDataType": attribute["attributeDataType"],
            "Mutable": attribute["mutable"],
            "Required": attribute["required"],
            "DeveloperOnlyAttribute": attribute["developerOnlyAttribute"],
            "StringAttributeConstraints": {
                "MinLength": str(attribute["stringAttributeConstraints"]["minLength"]),
                "MaxLength": str(attribute["stringAttributeConstraints"]["maxLength"]),
            },
        }
        for attribute in pool["schemas"]
    ]
    policy = pool["passwordPolicy"]
    pool_id = cognito.create_user_pool(
        PoolName=pool["name"],
        Schema=schema,
        UsernameAttributes=pool["usernameAttributes"],
        AutoVerifiedAttributes=pool["autoVerifiedAttributes"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": pool["adminCreateUserConfig"]["allowAdminCreateUserOnly"]},
        Policies={
            "PasswordPolicy": {
                "MinimumLength": int(policy["minimumLength"]),
                "RequireUppercase": policy["requireUppercase"],
                "RequireLowercase": policy["requireLowercase"],
                "RequireNumbers": policy["requireNumbers"],
                "RequireSymbols": policy["requireSymbols"],
            }
        },
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=client["name"],
        GenerateSecret=client["generateSecret"],
        ExplicitAuthFlows=[*client["explicitAuthFlows"], SANDBOX_AUTH_FLOW],
        ReadAttributes=client["readAttributes"],
        WriteAttributes=client["writeAttributes"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def _demo_user(cloud: LocalCloud, tenant: TenantRecord) -> None:
    cognito = cloud.client("cognito-idp")
    password = f"Demo-{secrets.token_urlsafe(12)}-9a"
    cognito.admin_create_user(
        UserPoolId=cloud.user_pool_id,
        Username=user_email(tenant.tenant_id),
        # No custom:tier: the tenant directory names the tier (users created before it carry one, never read).
        UserAttributes=[
            {"Name": "email", "Value": user_email(tenant.tenant_id)},
            {"Name": "email_verified", "Value": "true"},
            {"Name": TENANT_ID.claim, "Value": tenant.tenant_id},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=cloud.user_pool_id, Username=user_email(tenant.tenant_id), Password=password, Permanent=True
    )
    cloud.passwords[tenant.tenant_id] = password


def _tenant_roles(cloud: LocalCloud, stack: DeclaredStack) -> None:
    iam = cloud.client("iam")
    for role in stack.tenant_roles:
        iam.create_role(RoleName=role.name, Path=role.path, AssumeRolePolicyDocument=role.trust_policy)
        for name, document in role.policies.items():
            iam.put_role_policy(RoleName=role.name, PolicyName=name, PolicyDocument=document)


def publish_directory(cloud: LocalCloud, stack: DeclaredStack, slices: Mapping[str, str] | None = None) -> None:
    """The directory bucket, versioned as declared, and the declared slices (or `slices`: key -> document) as its
    objects; a slice no longer declared is deleted, as `pulumi up` deletes a cell's object with the cell."""
    s3 = cloud.client("s3")
    if stack.directory_bucket not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=stack.directory_bucket)
        s3.put_bucket_versioning(Bucket=stack.directory_bucket, VersioningConfiguration={"Status": "Enabled"})
    published = stack.directory_slices if slices is None else slices
    listed = s3.list_objects_v2(Bucket=stack.directory_bucket, Prefix=stack.directory_prefix).get("Contents", [])
    for key in sorted({item["Key"] for item in listed} - set(published)):
        s3.delete_object(Bucket=stack.directory_bucket, Key=key)
    for key, document in published.items():
        s3.put_object(Bucket=stack.directory_bucket, Key=key, Body=document.encode(), ContentType="application/json")


def provision(stack: DeclaredStack, endpoint: str) -> LocalCloud:
    pool_id, client_id = _user_pool(stack, endpoint)
    cloud = LocalCloud(endpoint=endpoint, region=stack.region, user_pool_id=pool_id, app_client_id=client_id)
    for tenant in stack.tenants:
        if tenant.active:  # an offboarded tenant keeps no sign-in
            _demo_user(cloud, tenant)
    cloud.client("s3").create_bucket(Bucket=stack.bucket)
    publish_directory(cloud, stack)
    if stack.stream_mode == "PROVISIONED":
        cloud.client("kinesis").create_stream(StreamName=stack.stream_name, ShardCount=stack.stream_shards)
    else:
        cloud.client("kinesis").create_stream(
            StreamName=stack.stream_name, StreamModeDetails={"StreamMode": "ON_DEMAND"}
        )
    cloud.client("kinesis").get_waiter("stream_exists").wait(StreamName=stack.stream_name)
    cloud.client("ssm").put_parameter(
        Name=stack.api_key_secret_parameter, Value=stack.api_key_secret, Type="SecureString"
    )
    _tenant_roles(cloud, stack)
    return cloud
