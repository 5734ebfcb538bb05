"""The analytics isolation matrix: every tenant's session against every tenant's events and query results,
and against every tier's workgroup, judged on the declared policies by the IAM evaluator.

A session is what the application opens for a tenant: its own role (premium), or its pooled shard's role
tagged with its id. The cells, by kind:
- `analytics-data`: what a query naming the target in its WHERE makes Athena do as the caller: list the
  target's partitions (s3:ListBucket with s3:prefix) and read an object of them (s3:GetObject);
- `analytics-results`: write and read query results under the target's results prefix (s3:PutObject,
  s3:GetObject): Athena writes them, and GetQueryResults reads them, with the caller's credentials;
- `analytics-workgroup`: run a query in a tier's workgroup (athena:StartQueryExecution), the target a tier;
- `analytics-catalog`: read the events table from Glue (every session may: the data is what is scoped).
Expected: its own tenant's data and results, its own tier's workgroup, and the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from functions.contracts.s3_layout import tenant_s3_prefix
from local.analytics.catalog import DeclaredAnalytics
from local.iam.evaluator import ALLOWED, IamRequest, evaluate
from local.iam.matrix import AssumableRole, Cell, DeclaredAccess, is_pooled, session_request

_EVENT_KEY = "year=2026/month=01/day=01/events-1.gz"


def sessions(access: DeclaredAccess) -> list[tuple[AssumableRole, str]]:
    """(role, tenant) of every session the application opens for a served tenant."""
    served = {t.tenant_id for t in access.tenants if t.active}
    found = []
    for role in access.roles:
        tenants = role.tenants if is_pooled(access, role) else role.tenants[:1]
        found += [(role, tenant) for tenant in tenants if tenant in served]
    return found


def analytics_matrix(
    access: DeclaredAccess,
    analytics: DeclaredAnalytics,
    judge: Callable[[dict[str, dict[str, Any]], Sequence[IamRequest]], list[str]] = evaluate,
) -> list[Cell]:
    policies: dict[str, dict[str, Any]] = {}
    if access.bucket_policy is not None:
        policies["bucket"] = access.bucket_policy
    plan: list[tuple[str, str, str, str, str]] = []
    requests: list[IamRequest] = []
    for role, tenant in sessions(access):
        for name, document in role.policies.items():
            policies[f"role/{role.name}/{name}"] = document

        def ask(
            target: str,
            kind: str,
            action: str,
            resource: str,
            extra: dict[str, str] | None = None,
            *,
            role: AssumableRole = role,
            tenant: str = tenant,
        ) -> None:
            plan.append((role.name, tenant, target, kind, action))
            on_ingest = resource.startswith(f"arn:aws:s3:::{access.bucket}")
            requests.append(
                session_request(
                    access,
                    role,
                    action,
                    resource,
                    session=f"analytics-{tenant}",
                    tag=tenant,
                    on_bucket=on_ingest,
                    extra=extra,
                )
            )

        for record in access.tenants:
            target, prefix = record.tenant_id, tenant_s3_prefix(record.tenant_id)
            data = f"arn:aws:s3:::{access.bucket}"
            ask(target, "analytics-data", "s3:ListBucket", data, {"s3:prefix": prefix})
            ask(target, "analytics-data", "s3:GetObject", f"{data}/{prefix}{_EVENT_KEY}")
            results = f"arn:aws:s3:::{analytics.results_bucket}/{prefix}query.csv"
            ask(target, "analytics-results", "s3:PutObject", results)
            ask(target, "analytics-results", "s3:GetObject", results)
        for tier in analytics.workgroups:
            ask(tier, "analytics-workgroup", "athena:StartQueryExecution", analytics.workgroup_arn(tier))
        for arn in analytics.catalog_arns():
            ask("catalog", "analytics-catalog", "glue:GetTable", arn)

    decisions = [result == ALLOWED for result in judge(policies, requests)]
    cells: dict[tuple[str, str, str, str], dict[str, bool]] = {}
    for (role_name, tenant, target, kind, action), allowed in zip(plan, decisions, strict=True):
        actions = cells.setdefault((role_name, tenant, target, kind), {})
        actions[action] = actions.get(action, True) and allowed
    tier_of = {t.tenant_id: t.tier for t in access.tenants}
    return [
        Cell(role, tenant, target, kind, actions, _expected(tenant, target, kind, tier_of))
        for (role, tenant, target, kind), actions in cells.items()
    ]


def _expected(tenant: str, target: str, kind: str, tier_of: dict[str, str]) -> bool:
    if kind == "analytics-workgroup":
        return target == tier_of[tenant]
    if kind == "analytics-catalog":
        return True
    return target == tenant
