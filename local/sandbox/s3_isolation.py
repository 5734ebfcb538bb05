"""Each silo tenant's role, as declared, against every tenant's prefix in the ingest bucket.

The roles' sessions are taken first; then moto starts enforcing IAM (its reset-auth switch), so every
GetObject is judged against the declared policies. This is the demo's last step on moto: from then on
only credentials that IAM allows work.
"""

from __future__ import annotations

import urllib.request
from typing import Any

from botocore.exceptions import ClientError

from functions.contracts.directory import TenantRecord
from local.sandbox.local_cloud import LocalCloud
from local.sandbox.report import IsolationCheck


def role_credentials(cloud: LocalCloud, tenant: TenantRecord) -> dict[str, str]:
    assert tenant.role_arn is not None
    credentials = cloud.client("sts").assume_role(RoleArn=tenant.role_arn, RoleSessionName=f"demo-{tenant.tenant_id}")
    return {
        "aws_access_key_id": credentials["Credentials"]["AccessKeyId"],
        "aws_secret_access_key": credentials["Credentials"]["SecretAccessKey"],
        "aws_session_token": credentials["Credentials"]["SessionToken"],
    }


def enforce_iam(cloud: LocalCloud, enforced: bool = True) -> None:
    """From now on moto authenticates and authorizes every request (INITIAL_NO_AUTH_ACTION_COUNT=0), or, with
    `enforced=False`, none again (its default, infinitely many unauthenticated actions)."""
    count = b"0" if enforced else b"inf"
    request = urllib.request.Request(
        f"{cloud.endpoint}/moto-api/reset-auth", data=count, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"moto refused to switch IAM enforcement: HTTP {response.status}")


def can_read(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        if error.response["Error"]["Code"] in ("AccessDenied", "403"):
            return False
        raise
    return True


def s3_isolation(
    cloud: LocalCloud, bucket: str, siloed: list[TenantRecord], sample_keys: dict[str, str]
) -> list[IsolationCheck]:
    """`sample_keys`: tenant id -> one object under its prefix (landed by the pipeline)."""
    sessions = {tenant.tenant_id: role_credentials(cloud, tenant) for tenant in siloed}
    enforce_iam(cloud)
    checks = []
    try:
        for principal, credentials in sessions.items():
            s3 = cloud.client("s3", credentials)
            for target, key in sample_keys.items():
                checks.append(IsolationCheck(principal, target, "s3", can_read(s3, bucket, key)))
    finally:
        # The steps after this one act as the platform's operator (the local test keys), as before it.
        enforce_iam(cloud, enforced=False)
    return checks
