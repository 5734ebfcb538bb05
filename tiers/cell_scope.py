"""What one stack of an environment with cells declares and reads, and the lifecycle steps it checks.

A cell declares the tenants whose cell it is, and the source side of those moving away from it; it reads its own
last outputs, the platform's, and the outputs of each other cell one of those tenants moves from or to. From those
outputs (the deployed records) it checks each of its tenants' steps (tiers/transitions.py) and keeps each
tenant's API key salt (`key_cells`). The platform declares no tenant: it validates the environment's config and
checks no step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from functions.contracts.cells import cell_stack
from functions.contracts.directory import TenantRecord
from tiers.errors import ConfigProblem
from tiers.model import TenantSpec
from tiers.policy import TierPolicy
from tiers.stacks import StackScope
from tiers.transitions import Transitions, deployed_roster, transitions


def declared_by(tenant: TenantSpec, cell: str) -> bool:
    """Whether `cell` declares anything of the tenant: its cell, or the cell its migration leaves."""
    return tenant.cell == cell or (tenant.migration is not None and tenant.migration.from_cell == cell)


def scope_tenants(tenants: Sequence[TenantSpec], scope: StackScope) -> list[TenantSpec]:
    if scope.cell is None:
        return []
    return [tenant for tenant in tenants if declared_by(tenant, scope.cell)]


def referenced_cells(tenants: Sequence[TenantSpec], scope: StackScope) -> tuple[str, ...]:
    """The other cells whose outputs a cell reads: those its own tenants move from or to."""
    others: set[str] = set()
    for tenant in scope_tenants(tenants, scope):
        for cell in (tenant.cell, None if tenant.migration is None else tenant.migration.from_cell):
            if cell is not None and cell != scope.cell:
                others.add(cell)
    return tuple(sorted(others))


def key_cells(tenants: Sequence[TenantSpec], deployed: Mapping[str, TenantRecord]) -> dict[str, str | None]:
    """Each tenant's API key salt: the cell that first declared its key there, kept while it stays in that cell.

    A new tenant's key is its cell's; a tenant moved to another cell gets a key of the new cell (both exist while
    it moves: API Gateway refuses two keys of one value); a tenant deployed before cells (its record names no
    cell) keeps its unsalted key, which adopting the environment moved into its cell unchanged.
    """
    salts: dict[str, str | None] = {}
    for tenant in tenants:
        record = deployed.get(tenant.id)
        if record is None:
            salts[tenant.id] = tenant.cell
        elif record.cell == tenant.cell:
            salts[tenant.id] = record.key_cell
        elif record.cell is None:
            salts[tenant.id] = None
        else:
            salts[tenant.id] = tenant.cell
    return salts


def cell_transitions(
    previous: Mapping[str, TenantRecord], tenants: Sequence[TenantSpec], tiers: Mapping[str, TierPolicy], cell: str
) -> Transitions:
    """The steps of the tenants `cell` declares, from the records deployed before (tiers/transitions.py), and
    a tenant the cell declared that the roster now puts in another cell without a move: refused (its resources
    would be declared twice, or dropped here while another cell creates them again)."""
    scoped = [tenant for tenant in tenants if declared_by(tenant, cell)]
    listed = {tenant.id: tenant for tenant in tenants}
    problems: list[ConfigProblem] = []
    relevant: dict[str, TenantRecord] = {}
    scoped_ids = {tenant.id for tenant in scoped}
    for tenant_id, record in previous.items():
        if tenant_id in scoped_ids:
            relevant[tenant_id] = record
        elif record.cell == cell:
            elsewhere = listed.get(tenant_id)
            if elsewhere is None:
                relevant[tenant_id] = record  # dropped from the roster: tiers/transitions.py says if it may be
            else:
                problems.append(
                    ConfigProblem(
                        f"tenant '{tenant_id}'",
                        f"is deployed in cell {cell}, but {elsewhere.where}.cell is {elsewhere.cell}: a tenant "
                        f"changes cell only with a move between storage models (its migration's fromCell: {cell})",
                    )
                )
    steps = transitions(relevant, scoped, tiers)
    return replace(steps, problems=(*steps.problems, *problems))


def record_sources(tenants: Sequence[TenantSpec], scope: StackScope) -> tuple[str, ...]:
    """The stacks whose last `tenants` a cell reads, in the order their records are merged: the cells its tenants
    move between, then itself (its own records win). The platform's adopted records come before all of them."""
    assert scope.cell is not None, "the platform reads only its own outputs"
    others = [cell_stack(scope.environment, cell) for cell in referenced_cells(tenants, scope)]
    return (*others, scope.stack)


def merged_records(
    adopted: Mapping[str, object] | None, sources: Sequence[tuple[str, Mapping[str, object] | None]]
) -> dict[str, TenantRecord]:
    """The deployed records a cell checks its tenants against: the platform's `adoptedTenants`, then each source's
    `tenants` in order (later ones win). Each is read as the program reads a `tenants` output."""
    records = deployed_roster(adopted or {}, "the platform's `adoptedTenants` output")
    for stack, tenants in sources:
        records |= deployed_roster(tenants or {}, f"stack {stack}'s last `tenants` output")
    return records
