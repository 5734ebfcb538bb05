"""Every served tenant queries its own landed events with SQL, as itself, through the local Athena
(local/analytics): its own role's session (a pooled role's tagged with its id, as the DAL opens them) with
STS credentials from moto, in its tier's workgroup, results under its own prefix. The count it gets must be
what landed for it; the same query naming the next tenant must be refused, by the IAM evaluator's decision
on the declared policies (see local/analytics/athena.py for what is judged)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.contracts.directory import TenantRecord
from functions.contracts.identity import TENANT_SESSION_TAG
from functions.contracts.s3_layout import tenant_s3_prefix
from local.analytics.athena import LocalAthena, TenantIdentity
from local.analytics.catalog import DeclaredAnalytics
from local.errors import QueryRefusedError
from local.iam.matrix import DeclaredAccess
from local.sandbox.local_cloud import LocalCloud


@dataclass(frozen=True)
class TenantQueries:
    tenant_id: str
    queried: int  # the events its own query counted
    landed: int  # the events that landed under its prefix
    refused_other: bool  # its query naming another tenant was refused
    refusal: str  # why (Athena's error category and message)

    @property
    def holds(self) -> bool:
        return self.queried == self.landed and self.refused_other

    def to_json(self) -> dict[str, Any]:
        return {"queried": self.queried, "landed": self.landed, "refusedOther": self.refused_other}


def count_query(analytics: DeclaredAnalytics, tenant_id: str) -> str:
    return f"SELECT count(*) AS events FROM {analytics.table.qualified} WHERE tenant = '{tenant_id}'"


def identity(cloud: LocalCloud, access: DeclaredAccess, tenant: TenantRecord) -> TenantIdentity:
    """The tenant's session as the application opens it: its role, tagged TenantId=<id>."""
    assert tenant.role_arn is not None
    role = next(r for r in access.roles if r.arn == tenant.role_arn)
    session = cloud.client("sts").assume_role(
        RoleArn=tenant.role_arn,
        RoleSessionName=f"analytics-{tenant.tenant_id}",
        Tags=[{"Key": TENANT_SESSION_TAG, "Value": tenant.tenant_id}],
    )["Credentials"]
    credentials = {
        "aws_access_key_id": session["AccessKeyId"],
        "aws_secret_access_key": session["SecretAccessKey"],
        "aws_session_token": session["SessionToken"],
    }
    return TenantIdentity(
        tenant.tenant_id, tenant.tier, role.name, role.arn, role.policies, cloud.client("s3", credentials)
    )


def tenant_queries(
    cloud: LocalCloud,
    access: DeclaredAccess,
    analytics: DeclaredAnalytics,
    served: list[TenantRecord],
    landed: dict[str, int],
) -> list[TenantQueries]:
    cloud.client("s3").create_bucket(Bucket=analytics.results_bucket)
    athena = LocalAthena(analytics, {access.bucket: access.bucket_policy} if access.bucket_policy else {})
    results = []
    for n, tenant in enumerate(served):
        other = served[(n + 1) % len(served)].tenant_id
        caller = identity(cloud, access, tenant)
        own_results = f"s3://{analytics.results_bucket}/{tenant_s3_prefix(tenant.tenant_id)}"
        answer = athena.run(caller, count_query(analytics, tenant.tenant_id), own_results)
        try:
            athena.run(caller, count_query(analytics, other), own_results)
            refused, why = False, "answered"
        except QueryRefusedError as error:
            refused, why = error.code == "PERMISSION_DENIED", str(error)
        results.append(
            TenantQueries(
                tenant.tenant_id, int(answer.rows[0]["events"]), landed.get(tenant.tenant_id, 0), refused, why
            )
        )
    return results
