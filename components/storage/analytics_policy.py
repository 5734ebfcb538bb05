"""A tenant identity's analytics policy: the second document of each tenant role (tenant_role.py), from the
analytics catalog's names (components/analytics/).

A silo tenant's role (its silo side, also while it migrates) queries as that tenant, in its tier's workgroup. A
pooled shard's role queries as its session's tenant, in the workgroups of its tenants' tiers (a cell's pooled
roles serve one storage model's tenants; if tenants of several pooled tiers share a shard, each of its sessions
may use any of their workgroups: an IAM policy cannot map a session's tag to its tenant's tier).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from components.analytics.catalog import EVENTS_TABLE
from components.analytics.policies import AnalyticsScope, tenant_analytics_policy
from components.storage.policies import AccountScope
from tiers.naming import Namer

S3_ARN_PREFIX = "arn:aws:s3:::"


def analytics_policy(
    namer: Namer, tenant_id: str | None, tiers: Sequence[str]
) -> Callable[[AccountScope, str], dict[str, Any]]:
    """(account scope, ingest bucket ARN) -> the identity's analytics policy: `tenant_id` for a silo tenant's role,
    None for a pooled role (its session's TenantId tag); `tiers`: the tiers whose workgroups it may use. Every name
    follows from the account and region (the catalog's and the results bucket's: tiers/naming.py)."""

    def document(scope: AccountScope, ingest_bucket_arn: str) -> dict[str, Any]:
        analytics = AnalyticsScope(
            region=scope.region,
            account_id=scope.account_id,
            database=namer.analytics_database(),
            table=EVENTS_TABLE,
            ingest_bucket=ingest_bucket_arn.removeprefix(S3_ARN_PREFIX),
            results_bucket=namer.analytics_results_bucket(scope.account_id, scope.region),
        )
        return tenant_analytics_policy(analytics, tenant_id, [namer.tier_workgroup(tier) for tier in tiers])

    return document
