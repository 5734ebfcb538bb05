"""Tenant isolation, checked by moto's IAM enforcement on the policies the program declares.

The roles, trust policies and permission policies are read from a run of the program under
mocks, created as they are in a moto server of this module's own, and exercised with each
tenant's session credentials once moto enforces IAM.

What moto can and cannot judge (moto 5.2.5, moto/iam/access_control.py):
- it matches actions and resource ARNs, and trust-policy principals that are IAM users: so
  GetObject per prefix, ListBucket per bucket and "who may assume a tenant role" are real checks;
- it ignores conditions other than StringEquals on sts:ExternalId, so the `s3:prefix` condition
  that keeps ListBucket to a tenant's prefix is not enforced by moto (the policy unit tests check
  it), and it does not resolve `${aws:PrincipalTag/TenantId}`, so the pooled roles are not tested here
  (tests/integration/iam judges them with an evaluator that does);
- it compares an assumed-role session's ARN with a trust policy's role ARN literally, so the
  application role's (allowed) assume cannot be shown; an outsider's denied one can.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from local.fake_cloud import ACCOUNT_ID
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer
from tests.support.storage_runs import StorageRun, run_roster
from tiers.naming import Namer

pytestmark = pytest.mark.moto

STACK = "iso"
REGION = LOCAL_CREDENTIALS["AWS_REGION"]
PREMIUM = ("acme", "globex-corp", "hooli")
BASIC = ("initech", "umbrella-labs")
BUCKET = Namer(STACK).ingest_bucket(ACCOUNT_ID, REGION)  # what the policies name
OTHER_BUCKET = "not-the-ingest-bucket"
EVENT_KEY = "tenant={tenant}/year=2026/month=11/day=23/events-0001.json"


@dataclass
class Sessions:
    server: MotoServer
    run: StorageRun
    tenants: dict[str, dict[str, str]]  # premium tenant -> its role session's credentials
    outsider: dict[str, str]  # an IAM user allowed everything by its own policy


def client(server: MotoServer, service: str, credentials: dict[str, str]) -> BaseClient:
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name=REGION,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        **credentials,
    )


def enforce_iam(server: MotoServer) -> None:
    """From now on moto authenticates and authorizes every request.

    The server side of moto's INITIAL_NO_AUTH_ACTION_COUNT: the set-up before this point is
    unauthenticated, however many requests it takes.
    """
    request = urllib.request.Request(
        f"{server.endpoint}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def declared_role(run: StorageRun, tenant_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    role = run.declaration.named(f"tenant-{tenant_id}-role")
    return role.inputs, run.role_policy(f"tenant-{tenant_id}-role")


@pytest.fixture(scope="module")
def sessions(run_dir: Path) -> Iterator[Sessions]:
    run = run_roster(
        [*({"id": t, "tier": "premium"} for t in PREMIUM), *({"id": t, "tier": "basic"} for t in BASIC)], stack=STACK
    )
    # Its own server: IAM enforcement is server-wide and would break other tests' unsigned calls.
    with MotoServer(run_dir / "moto-storage-isolation.log") as server:
        admin = {
            "aws_access_key_id": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }
        s3, iam, sts = (client(server, service, admin) for service in ("s3", "iam", "sts"))
        for bucket in (BUCKET, OTHER_BUCKET):
            s3.create_bucket(Bucket=bucket)
        for tenant in (*PREMIUM, *BASIC):
            for bucket in (BUCKET, OTHER_BUCKET):
                s3.put_object(Bucket=bucket, Key=EVENT_KEY.format(tenant=tenant), Body=b'{"ok": true}')
        tenants = {}
        for tenant in PREMIUM:
            role, policy = declared_role(run, tenant)
            arn = iam.create_role(
                RoleName=role["name"], Path=role["path"], AssumeRolePolicyDocument=role["assumeRolePolicy"]
            )["Role"]["Arn"]
            assert arn == run.outputs["tenants"][tenant]["roleArn"]
            iam.put_role_policy(RoleName=role["name"], PolicyName="tenant-data", PolicyDocument=json.dumps(policy))
            credentials = sts.assume_role(RoleArn=arn, RoleSessionName=f"dal-{tenant}")["Credentials"]
            tenants[tenant] = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            }
        iam.create_user(UserName="outsider")
        everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName="outsider", PolicyName="everything", PolicyDocument=json.dumps(everything))
        key = iam.create_access_key(UserName="outsider")["AccessKey"]
        outsider = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
        enforce_iam(server)
        yield Sessions(server, run, tenants, outsider)


def error_code(call: Any, **kwargs: Any) -> str | None:
    try:
        call(**kwargs)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


@pytest.mark.parametrize("tenant", PREMIUM)
def test_a_premium_tenant_reads_its_own_prefix_and_is_denied_every_other_tenants(sessions: Sessions, tenant: str):
    s3 = client(sessions.server, "s3", sessions.tenants[tenant])
    own = s3.get_object(Bucket=BUCKET, Key=EVENT_KEY.format(tenant=tenant))
    assert json.loads(own["Body"].read()) == {"ok": True}
    others = [other for other in (*PREMIUM, *BASIC) if other != tenant]
    denied = {other: error_code(s3.get_object, Bucket=BUCKET, Key=EVENT_KEY.format(tenant=other)) for other in others}
    assert denied == dict.fromkeys(others, "AccessDenied")


@pytest.mark.parametrize("tenant", PREMIUM)
def test_a_premium_tenant_lists_its_prefix_in_the_ingest_bucket_only(sessions: Sessions, tenant: str):
    s3 = client(sessions.server, "s3", sessions.tenants[tenant])
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"tenant={tenant}/")
    assert [item["Key"] for item in listed["Contents"]] == [EVENT_KEY.format(tenant=tenant)]
    assert error_code(s3.list_objects_v2, Bucket=OTHER_BUCKET, Prefix=f"tenant={tenant}/") == "AccessDenied"
    assert error_code(s3.get_object, Bucket=OTHER_BUCKET, Key=EVENT_KEY.format(tenant=tenant)) == "AccessDenied"


@pytest.mark.parametrize("tenant", PREMIUM)
def test_a_premium_tenant_cannot_write_to_s3_nor_assume_another_tenants_role(sessions: Sessions, tenant: str):
    s3 = client(sessions.server, "s3", sessions.tenants[tenant])
    assert error_code(s3.put_object, Bucket=BUCKET, Key=EVENT_KEY.format(tenant=tenant), Body=b"{}") == "AccessDenied"
    sts = client(sessions.server, "sts", sessions.tenants[tenant])
    for other in PREMIUM:
        if other != tenant:
            other_role = sessions.run.outputs["tenants"][other]["roleArn"]
            assert error_code(sts.assume_role, RoleArn=other_role, RoleSessionName="hop") == "AccessDenied"


def test_only_the_application_role_is_trusted_not_a_principal_allowed_everything(sessions: Sessions):
    s3 = client(sessions.server, "s3", sessions.outsider)
    # Its credentials work and its own policy allows everything...
    assert s3.get_object(Bucket=BUCKET, Key=EVENT_KEY.format(tenant="acme"))["ContentLength"] > 0
    # ...but no tenant role's trust policy names it.
    sts = client(sessions.server, "sts", sessions.outsider)
    for tenant in PREMIUM:
        role = sessions.run.outputs["tenants"][tenant]["roleArn"]
        assert error_code(sts.assume_role, RoleArn=role, RoleSessionName="outsider") == "AccessDenied"
