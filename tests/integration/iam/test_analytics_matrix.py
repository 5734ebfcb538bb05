"""The analytics isolation matrix on the declared policies, N x N, judged by the IAM evaluator: each tenant's
session reaches its own events and query results only, and runs queries in its own tier's workgroup only."""

from __future__ import annotations

from typing import Any

import pytest

from local.analytics.catalog import read_analytics
from local.analytics.iam_matrix import analytics_matrix, sessions
from local.environment import run_settings
from local.fake_cloud import ACCOUNT_ID
from local.iam.matrix import read_access
from local.stack_file import read_stack_config

pytestmark = pytest.mark.iam


@pytest.fixture(scope="module")
def declared() -> tuple[Any, Any]:
    config = read_stack_config("dev")
    config["tenant-pipeline:tenants"] = [
        *config["tenant-pipeline:tenants"],
        {"id": "wayne-enterprises", "tier": "premium", "cell": "premium-1"},
        {"id": "kramerica", "tier": "basic", "cell": "basic-1"},
    ]
    declaration = run_settings("dev", config).declaration
    return read_access(declaration, "us-east-1"), read_analytics(declaration, "us-east-1", ACCOUNT_ID)


def test_every_session_reaches_its_own_events_and_results_only(declared: tuple[Any, Any]) -> None:
    access, analytics = declared
    cells = analytics_matrix(access, analytics)
    assert [c for c in cells if not c.holds] == []
    served = {t.tenant_id for t in access.tenants if t.active}
    assert {c.tag for c in cells} == served
    for kind in ("analytics-data", "analytics-results"):
        kind_cells = [c for c in cells if c.kind == kind]
        assert len(kind_cells) == len(served) * len(access.tenants)  # N x N
        assert {(c.tag, c.target) for c in kind_cells if c.allowed} == {(t, t) for t in served}


def test_each_session_runs_queries_in_its_own_tiers_workgroup_only(declared: tuple[Any, Any]) -> None:
    access, analytics = declared
    tier_of = {t.tenant_id: t.tier for t in access.tenants}
    cells = [c for c in analytics_matrix(access, analytics) if c.kind == "analytics-workgroup"]
    allowed = {(c.tag, c.target) for c in cells if c.allowed}
    assert allowed == {(tenant, tier_of[tenant]) for _, tenant in sessions(access)}
    assert len({c.target for c in cells}) == len(analytics.workgroups) >= 2
