"""The isolation matrix's own logic, without the evaluator: what each cell should say, how a refused trust
gates a session's data cells, and how a cell of several actions reports the one that breaks it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from local.environment import read_environment
from local.iam.evaluator import ALLOWED, IamRequest
from local.iam.matrix import Cell, DeclaredAccess, isolation_matrix, read_access
from local.sandbox.iam_isolation import check


@pytest.fixture(scope="module")
def access() -> DeclaredAccess:
    return read_access(read_environment("dev").declaration, "us-east-1")


def judge_allowing(allowed: set[str]) -> Any:
    def judge(policies: dict[str, dict[str, Any]], requests: Sequence[IamRequest]) -> list[str]:
        return [ALLOWED if r.action in allowed else "ImplicitlyDenied" for r in requests]

    return judge


def role_of(access: DeclaredAccess) -> dict[str, str]:
    """Each served tenant's role name, as its directory record names it."""
    return {t.tenant_id: t.role_arn.rsplit("/", 1)[1] for t in access.tenants if t.role_arn}


def test_a_session_its_trust_refuses_reaches_nothing_whatever_its_policies_say(access: DeclaredAccess) -> None:
    data_only = judge_allowing({"s3:GetObject", "s3:ListBucket", "cassandra:Select", "cassandra:Modify"})
    cells = isolation_matrix(access, judge=data_only)
    assert cells and not any(cell.allowed for cell in cells)
    # ... so every cell where a principal should reach its own data is caught as wrong: a silo role's
    # sessions (whatever their tag) on its tenant, a pooled session on its own tenant's prefix.
    wrong = {(c.role, c.tag, c.target) for c in cells if c.kind == "s3" and not c.holds}
    tags = [t.tenant_id for t in access.tenants]
    roles = role_of(access)
    silo = [t.tenant_id for t in access.tenants if t.role_arn and not t.pooled]
    pooled = [t.tenant_id for t in access.tenants if t.role_arn and t.pooled]
    assert silo and pooled
    assert wrong == {
        *((roles[tenant], tag, tenant) for tenant in silo for tag in tags),
        *((roles[tenant], tenant, tenant) for tenant in pooled),
    }


def test_what_each_cell_should_say(access: DeclaredAccess) -> None:
    cells = isolation_matrix(access, judge=judge_allowing(set()))
    should = {(c.role, c.tag, c.target, c.kind) for c in cells if c.expected}
    roles = role_of(access)
    pooled_tenants = [t.tenant_id for t in access.tenants if t.pooled]  # served or not: their rows are in the pool
    for role in {roles[t] for t in pooled_tenants if t in roles}:
        members = {t for t in pooled_tenants if roles.get(t) == role}  # the served tenants its trust lists
        assert {tag for r, tag, _, kind in should if kind == "trust" and r == role} == members
        assert {(tag, target) for r, tag, target, kind in should if kind == "s3" and r == role} == {
            (t, t) for t in members
        }
        # The pooled tables hold every pooled tenant's rows (an offboarded one's too): shared at the IAM level.
        tables = {(tag, target) for r, tag, target, kind in should if kind == "keyspaces" and r == role}
        assert tables == {(t, target) for t in members for target in pooled_tenants}
    for tenant in (t.tenant_id for t in access.tenants if t.role_arn and not t.pooled):
        own = {(target, kind) for r, _, target, kind in should if r == roles[tenant] and kind != "trust"}
        assert own == {(tenant, "s3"), (tenant, "keyspaces")}


def test_a_cell_of_several_actions_reports_the_one_that_breaks_it() -> None:
    half = Cell("r", "initech", "initech", "s3", {"s3:GetObject": True, "s3:ListBucket": False}, expected=True)
    shown = check(half, "pooled-tenants")
    assert (shown.principal, shown.kind) == ("initech @ pooled-tenants", "iam-s3")
    assert (shown.allowed, shown.holds) == (False, False)
    leak = Cell("r", "acme", "acme", "trust", {"sts:AssumeRole": True, "sts:TagSession": False}, expected=False)
    assert (check(leak, "pooled-tenants").allowed, check(leak, "pooled-tenants").holds) == (True, False)
    fine = Cell("r", "hooli", "hooli", "s3", {"s3:GetObject": True, "s3:ListBucket": True}, expected=True)
    assert check(fine, "pooled-tenants").holds
