"""IAM documents of tenant analytics: what a tenant's identity may do to query its own events.

Athena runs a query with the caller's credentials: it reads the Glue table, lists and reads the data, and
writes the results, each as the caller. So a tenant's identity (a premium tenant's role; a pooled session,
tagged with its tenant id) is granted:
- its tier's workgroup, to run, follow, read and stop its queries; not ListQueryExecutions nor
  BatchGetQueryExecution, which would show the other tenants' queries in the shared workgroup;
- the events table (and its database and catalog) in Glue;
- its own results prefix, `tenant=<id>/` of the results bucket, to write and read: results are written with
  the caller's credentials, so a query naming another tenant's prefix, or none, fails to write;
- its own events prefix it already reads through its tenant-data policy (components/storage/policies.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.errors import ComponentInputError
from functions.contracts.aws import is_account_id, is_region
from functions.contracts.identity import TENANT_SESSION_TAG
from functions.contracts.s3_layout import TENANT_DATA_PREFIX, tenant_s3_prefix

Document = dict[str, Any]
POLICY_VERSION = "2012-10-17"
QUERY_ACTIONS = (
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetWorkGroup",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
)
CATALOG_ACTIONS = ("glue:GetDatabase", "glue:GetPartitions", "glue:GetTable")
RESULT_OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject")
# A pooled session's results prefix, resolved by IAM per request from its session tag.
TAGGED_RESULTS_PREFIX = f"{TENANT_DATA_PREFIX}${{aws:PrincipalTag/{TENANT_SESSION_TAG}}}/"


@dataclass(frozen=True)
class AnalyticsScope:
    """The resources a tenant's queries touch, by name."""

    region: str
    account_id: str
    database: str
    table: str
    ingest_bucket: str
    results_bucket: str

    def __post_init__(self) -> None:
        if not is_account_id(self.account_id):
            raise ComponentInputError(f"account id must be 12 digits, got {self.account_id!r}")
        if not is_region(self.region):
            raise ComponentInputError(f"region must look like us-east-1, got {self.region!r}")

    def workgroup_arn(self, workgroup: str) -> str:
        return f"arn:aws:athena:{self.region}:{self.account_id}:workgroup/{workgroup}"

    def catalog_arns(self) -> list[str]:
        glue = f"arn:aws:glue:{self.region}:{self.account_id}"
        return [f"{glue}:catalog", f"{glue}:database/{self.database}", f"{glue}:table/{self.database}/{self.table}"]


def tenant_analytics_policy(scope: AnalyticsScope, tenant_id: str | None, workgroups: Sequence[str]) -> Document:
    """A tenant identity's analytics: `tenant_id` for a premium tenant's role (its prefix literal), None for a
    pooled role (the prefix of the session's TenantId tag; an untagged session gets nothing)."""
    if not workgroups:
        raise ComponentInputError("a tenant identity needs its tier's workgroup")
    prefix = TAGGED_RESULTS_PREFIX if tenant_id is None else tenant_s3_prefix(tenant_id)
    tagged = None if tenant_id is not None else {"Null": {f"aws:PrincipalTag/{TENANT_SESSION_TAG}": "false"}}
    results = f"arn:aws:s3:::{scope.results_bucket}"

    def allow(sid: str, actions: Sequence[str], resources: list[str], condition: Document | None = None) -> Document:
        statement: Document = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
        merged = {**(condition or {}), **(tagged or {})}
        if merged:
            statement["Condition"] = merged
        return statement

    return {
        "Version": POLICY_VERSION,
        "Statement": [
            allow("QueryInTierWorkgroup", QUERY_ACTIONS, [scope.workgroup_arn(w) for w in sorted(set(workgroups))]),
            allow("ReadEventsTable", CATALOG_ACTIONS, scope.catalog_arns()),
            allow(
                "LocateBuckets",
                ["s3:GetBucketLocation"],
                [f"arn:aws:s3:::{scope.ingest_bucket}", results],
            ),
            allow("OwnQueryResults", RESULT_OBJECT_ACTIONS, [f"{results}/{prefix}*"]),
            allow("ListOwnQueryResults", ["s3:ListBucket"], [results], {"StringLike": {"s3:prefix": [f"{prefix}*"]}}),
        ],
    }
