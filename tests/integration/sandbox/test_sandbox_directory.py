"""The sandbox publishes the declared tenant directory into moto's S3 as the program declares it, and the
real authorizer, configured as the declared Lambda, serves from it: the directory's tier, offboarded and
unknown tenants refused, and a tier change published later reaching the same demo user's token."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.config import load_config
from functions.authorizer.errors import UnauthorizedError
from functions.authorizer.local import token_event
from functions.contracts.directory import TenantRecord, directory_document, parse_document
from local.environment import read_environment
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.demo import authorizer_environment
from local.sandbox.local_cloud import LocalCloud, provision, publish_directory, user_email
from local.services.moto_server import MotoServer

pytestmark = pytest.mark.moto
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:local/v1/POST/events"
PASSWORD = "Sandbox-Directory-Test-9a"


@pytest.fixture(scope="module")
def stack() -> DeclaredStack:
    return read_declaration(read_environment("dev").declaration, "us-east-1")


@pytest.fixture(scope="module")
def cloud(stack: DeclaredStack, moto_server: MotoServer) -> LocalCloud:
    cloud = provision(stack, moto_server.endpoint)
    # A user of the offboarded tenant (the sandbox creates none) and of a tenant the directory does not list.
    for tenant_id in ("vandelay", "wayne"):
        cognito = cloud.client("cognito-idp")
        cognito.admin_create_user(
            UserPoolId=cloud.user_pool_id,
            Username=user_email(tenant_id),
            UserAttributes=[{"Name": "custom:tenantId", "Value": tenant_id}],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=cloud.user_pool_id, Username=user_email(tenant_id), Password=PASSWORD, Permanent=True
        )
        cloud.passwords[tenant_id] = PASSWORD
    return cloud


@pytest.fixture
def authorizer(stack: DeclaredStack, cloud: LocalCloud, aws_env: MotoServer) -> Authorizer:
    """The authorizer as the demo configures it, reading the directory on every call."""
    return Authorizer.from_config(load_config(authorizer_environment(stack, cloud) | {"TENANT_DIRECTORY_MAX_AGE": "0"}))


def authorize(authorizer: Authorizer, cloud: LocalCloud, tenant_id: str) -> dict[str, Any]:
    return authorizer.authorize(token_event(f"Bearer {cloud.id_token(tenant_id)}", METHOD_ARN))


def test_the_published_objects_are_the_declared_slices(stack: DeclaredStack, cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    listed = s3.list_objects_v2(Bucket=stack.directory_bucket, Prefix=stack.directory_prefix)["Contents"]
    assert {item["Key"] for item in listed} == set(stack.directory_slices)
    published: dict[str, TenantRecord] = {}
    for key, document in stack.directory_slices.items():
        body = s3.get_object(Bucket=stack.directory_bucket, Key=key)["Body"].read()
        assert body.decode() == document
        published |= parse_document(body)
    assert published == {record.tenant_id: record for record in stack.tenants}


def test_the_demo_users_carry_no_tier_and_get_the_directorys(
    stack: DeclaredStack, cloud: LocalCloud, authorizer: Authorizer
) -> None:
    cognito = cloud.client("cognito-idp")
    attributes = cognito.admin_get_user(UserPoolId=cloud.user_pool_id, Username=user_email("acme"))["UserAttributes"]
    assert "custom:tier" not in {attribute["Name"] for attribute in attributes}

    for record in stack.tenants:
        if record.active:
            assert authorize(authorizer, cloud, record.tenant_id)["context"] == {
                "tenantId": record.tenant_id,
                "tier": record.tier,
            }


@pytest.mark.parametrize("tenant_id", ["vandelay", "wayne"], ids=["offboarded", "unknown"])
def test_offboarded_and_unknown_tenants_are_refused(cloud: LocalCloud, authorizer: Authorizer, tenant_id: str) -> None:
    with pytest.raises(UnauthorizedError):
        authorize(authorizer, cloud, tenant_id)


def test_a_tier_change_published_later_reaches_the_same_user(
    stack: DeclaredStack, cloud: LocalCloud, authorizer: Authorizer
) -> None:
    (key,) = [key for key, document in stack.directory_slices.items() if "initech" in parse_document(document)]
    records = parse_document(stack.directory_slices[key])
    assert records["initech"].tier != "premium"
    assert authorize(authorizer, cloud, "initech")["context"]["tier"] == records["initech"].tier
    entry = {**records["initech"].to_entry(), "tier": "premium", "keyspace": "tenant_initech"}
    moved = {**records, "initech": TenantRecord.from_entry("initech", entry)}
    try:
        publish_directory(cloud, stack, {**stack.directory_slices, key: json.dumps(directory_document(moved.values()))})

        assert authorize(authorizer, cloud, "initech")["context"] == {"tenantId": "initech", "tier": "premium"}
    finally:
        publish_directory(cloud, stack)
    versions = cloud.client("s3").list_object_versions(Bucket=stack.directory_bucket, Prefix=key)
    assert len(versions["Versions"]) == 3  # the bucket is versioned, as declared
