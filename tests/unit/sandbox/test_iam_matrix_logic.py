"""The isolation matrix's own logic, without the evaluator: what each cell should say, how a refused trust
gates a session's data cells, and how a cell of several actions reports the one that breaks it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from local.iam.evaluator import ALLOWED, IamRequest
from local.iam.matrix import Cell, DeclaredAccess, isolation_matrix, read_access
from local.program import run_program
from local.sandbox.iam_isolation import check
from local.stack_file import read_stack_config


@pytest.fixture(scope="module")
def access() -> DeclaredAccess:
    return read_access(run_program("dev", read_stack_config("dev")), "us-east-1")


def judge_allowing(allowed: set[str]) -> Any:
    def judge(policies: dict[str, dict[str, Any]], requests: Sequence[IamRequest]) -> list[str]:
        return [ALLOWED if r.action in allowed else "ImplicitlyDenied" for r in requests]

    return judge


def test_a_session_its_trust_refuses_reaches_nothing_whatever_its_policies_say(access: DeclaredAccess) -> None:
    data_only = judge_allowing({"s3:GetObject", "s3:ListBucket", "cassandra:Select", "cassandra:Modify"})
    cells = isolation_matrix(access, judge=data_only)
    assert cells and not any(cell.allowed for cell in cells)
    # ... so every cell where a principal should reach its own data is caught as wrong: a premium role's
    # sessions (whatever their tag) on its tenant, a pooled session on its own tenant's prefix.
    wrong = {(c.role.rsplit("-", 1)[-1], c.tag, c.target) for c in cells if c.kind == "s3" and not c.holds}
    tags = [t.tenant_id for t in access.tenants]
    assert wrong == {
        *((premium, tag, premium) for premium in ("acme", "globex") for tag in tags),
        *(("tenants", t, t) for t in ("initech", "umbrella-labs", "hooli")),
    }


def test_what_each_cell_should_say(access: DeclaredAccess) -> None:
    cells = isolation_matrix(access, judge=judge_allowing(set()))
    should = {(c.role.rsplit("-", 1)[-1], c.tag, c.target, c.kind) for c in cells if c.expected}
    trusted_tags = {tag for role, tag, _, kind in should if kind == "trust" and role == "tenants"}
    assert trusted_tags == {"initech", "umbrella-labs", "hooli"}
    assert {(tag, target) for role, tag, target, kind in should if kind == "s3" and role == "tenants"} == {
        (t, t) for t in trusted_tags
    }
    # The pooled tables hold every basic tenant's rows (the offboarded one's too): shared at the IAM level.
    pooled_tables = {(tag, target) for role, tag, target, kind in should if kind == "keyspaces" and role == "tenants"}
    assert pooled_tables == {(t, target) for t in trusted_tags for target in (*trusted_tags, "vandelay")}
    acme = {(tag, target, kind) for role, tag, target, kind in should if role == "acme" and kind != "trust"}
    assert {(target, kind) for _, target, kind in acme} == {("acme", "s3"), ("acme", "keyspaces")}


def test_a_cell_of_several_actions_reports_the_one_that_breaks_it() -> None:
    half = Cell("r", "initech", "initech", "s3", {"s3:GetObject": True, "s3:ListBucket": False}, expected=True)
    shown = check(half, "pooled-tenants")
    assert (shown.principal, shown.kind) == ("initech @ pooled-tenants", "iam-s3")
    assert (shown.allowed, shown.holds) == (False, False)
    leak = Cell("r", "acme", "acme", "trust", {"sts:AssumeRole": True, "sts:TagSession": False}, expected=False)
    assert (check(leak, "pooled-tenants").allowed, check(leak, "pooled-tenants").holds) == (True, False)
    fine = Cell("r", "hooli", "hooli", "s3", {"s3:GetObject": True, "s3:ListBucket": True}, expected=True)
    assert check(fine, "pooled-tenants").holds
