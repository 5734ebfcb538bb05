"""Every pooled tenant's pooled session, and the pooled roles' trust, judged on the declared policies by the
IAM evaluator (local/iam): moto evaluates neither the trust policy's conditions nor the
`${aws:PrincipalTag/TenantId}` that scope a pooled session, so the demo's moto check covers silo roles only.

Each pooled role is tried with every tenant's id as the session tag, the ones its trust must refuse too.
"""

from __future__ import annotations

from local.iam.matrix import Cell, is_pooled, isolation_matrix, read_access
from local.program import Declaration
from local.sandbox.report import IsolationCheck


def pooled_isolation(declaration: Declaration, region: str, name_prefix: str) -> list[IsolationCheck]:
    """`name_prefix`: taken off role names in the report (the stack's `tenant-pipeline-<env>-`)."""
    access = read_access(declaration, region)
    cells = isolation_matrix(access, roles=lambda role: is_pooled(access, role))
    return [check(cell, cell.role.removeprefix(name_prefix)) for cell in cells]


def check(cell: Cell, role: str) -> IsolationCheck:
    """One report cell. Several actions make a cell: it shows the decision that breaks it, if one does."""
    allowed = cell.expected if cell.holds else not cell.expected
    if cell.kind == "trust":
        return IsolationCheck(role, cell.target, "iam-trust", allowed, should_allow=cell.expected)
    return IsolationCheck(f"{cell.tag} @ {role}", cell.target, f"iam-{cell.kind}", allowed, should_allow=cell.expected)
