"""Per-tenant AWS credentials: AssumeRole on the tenant's role, tagged TenantId=<id>, refreshed before expiry.

A silo tenant's roleArn is its own role (it can reach only its keyspace), so even a DAL bug
cannot sign a request into another tenant's keyspace. A pooled tenant's roleArn is its shard's
pooled role, which trusts only its own tenants' ids as the TenantId session tag; the tag scopes
what the session reaches by `aws:PrincipalTag/TenantId` and names the tenant in CloudTrail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from functions.contracts.identity import TENANT_SESSION_TAG
from functions.dal.errors import CredentialsError, DalUsageError

DEFAULT_DURATION = 3600
# botocore refreshes this long before expiry without blocking callers, and blocks only inside the last minutes.
ADVISORY_REFRESH_SECONDS = 15 * 60
MANDATORY_REFRESH_SECONDS = 10 * 60


class RoleAssumer:
    """Assumes tenant roles through one STS client; each tenant gets a boto3 Session of its own."""

    def __init__(self, region: str, sts_client: Any = None, duration_seconds: int = DEFAULT_DURATION):
        if not 900 <= duration_seconds <= 43200:
            raise DalUsageError(f"STS session duration {duration_seconds}s is outside 900-43200")
        self.region = region
        self.duration_seconds = duration_seconds
        self._sts = sts_client or boto3.client("sts", region_name=region)

    def session_for(self, tenant_id: str, role_arn: str) -> boto3.Session:
        """A boto3 Session whose credentials are `role_arn` assumed for `tenant_id`, refreshed before expiry."""

        def fetch() -> dict[str, str]:
            return self._assume(tenant_id, role_arn)

        credentials = RefreshableCredentials.create_from_metadata(
            metadata=fetch(),
            refresh_using=fetch,
            method="sts-assume-role",
            advisory_timeout=ADVISORY_REFRESH_SECONDS,
            mandatory_timeout=MANDATORY_REFRESH_SECONDS,
        )
        core = botocore.session.get_session()
        # botocore has no public setter for a ready credentials object; this is how boto3 wraps one.
        core._credentials = credentials
        core.set_config_variable("region", self.region)
        return boto3.Session(botocore_session=core, region_name=self.region)

    def _assume(self, tenant_id: str, role_arn: str) -> dict[str, str]:
        try:
            response = self._sts.assume_role(
                RoleArn=role_arn,
                RoleSessionName=session_name(tenant_id),
                DurationSeconds=self.duration_seconds,
                Tags=[{"Key": TENANT_SESSION_TAG, "Value": tenant_id}],
            )
        except (ClientError, BotoCoreError) as error:
            raise CredentialsError(f"tenant {tenant_id!r}: cannot assume {role_arn}: {error}") from error
        issued = response["Credentials"]
        expiry = issued["Expiration"]
        return {
            "access_key": issued["AccessKeyId"],
            "secret_key": issued["SecretAccessKey"],
            "token": issued["SessionToken"],
            "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry),
        }


def session_name(tenant_id: str) -> str:
    """RoleSessionName: [\\w+=,.@-]{2,64}; tenant ids are at most 32 characters of [a-z0-9-]."""
    return f"dal-{tenant_id}"
