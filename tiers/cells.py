"""Tenant cells: an environment as a platform stack plus bounded stacks of per-tenant resources.

One stack of N tenants costs the real engine O(N^2) on its first deploy (it rewrites the whole checkpoint at every
step: bench/RESULTS.md "engine"), so an environment with `tenant-pipeline:cells` declares its shared parts in the
platform stack and each tenant's resources in a cell: a stack of at most `budget` resources holding tenants of
one tier (functions/contracts/cells.py names them). The roster stays one list: each entry names its cell, which
never changes as the roster grows (a new cell opens when the last is full); a tenant with no cell is refused with
the cell to use (`suggest_cells`, what `tenant-pipeline onboard` writes).

A tenant moves to another cell only with a move between storage models (its new tier's cell declares the new
side, `migration.fromCell` keeps the old side until the move ends); a tier change within one storage model keeps
its cell. Without `tenant-pipeline:cells` the environment is one stack, as before (docs/design.md "Cells").

What a cell declares, counted here as the program declares it (tests/unit/cells checks the count under mocks):
the cell's own components, its directory slice and its stack references; per tenant whose cell it is, its API key
and usage-plan key (served), its silo side (a silo tenant, or a migrating tenant's silo target); per tenant moving
away from it, its silo source; and its pooled roles (two resources a shard).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from functions.contracts.cells import cell_number, cell_tier, is_cell_name
from functions.contracts.tables import TENANT_TABLES
from tiers import offboarding
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import TenantSpec
from tiers.naming import Namer
from tiers.plan import TenantPlan, plan_tenant
from tiers.policy import TierPolicy

CELLS_KEY = "tenant-pipeline:cells"
# Resources a cell may hold: about 1,000 keeps a cell's first deploy near 2 minutes and its no-change update
# near 15 s on the real engine (bench/RESULTS.md "engine").
DEFAULT_BUDGET = 1000
# A cell small enough to hold one provisioned silo tenant and its overhead; more than a few thousand resources
# brings back the quadratic checkpoint cost cells exist to avoid.
BUDGET_RANGE = (50, 5000)

# What every cell declares whatever its tenants: its root component, its API keys' and its storage's
# components, and its directory slice (components/cells/).
CELL_FIXED_RESOURCES = 4
# A cell's stack references: the platform's outputs and its own last outputs, plus each other cell a tenant of
# its own moves to or from (stack references are resources of the stack's state too).
BASE_STACK_REFERENCES = 2
KEY_RESOURCES = 2  # a served tenant's API key and its usage-plan key
ROLE_RESOURCES = 3  # a role and its inline policies, tenant data and analytics (a silo tenant's, or a pooled shard's)
POOLED_ROLES_COMPONENT = 1  # the cell's pooled roles' component, when it has any pooled tenant


@dataclass(frozen=True)
class CellSettings:
    """`tenant-pipeline:cells`: an environment of a platform stack and cells (absent: one stack)."""

    budget: int = DEFAULT_BUDGET
    # The cell that took over a one-stack environment's pooled roles: they keep their names there.
    adopted: str | None = None


def parse_cells(raw: Any, problems: list[ConfigProblem]) -> CellSettings | None:
    if raw is None:
        return None
    fields = Fields(raw, CELLS_KEY, "cells", problems)
    fields.reject_unknown({"budget", "adopted"})
    settings = CellSettings(budget=fields.get("budget", int, DEFAULT_BUDGET), adopted=fields.text("adopted"))
    low, high = BUDGET_RANGE
    if not low <= settings.budget <= high:
        fields.problem(f"cells.budget must be {low}-{high} resources, got {settings.budget}")
    if settings.adopted is not None and not is_cell_name(settings.adopted):
        fields.problem(f"cells.adopted '{settings.adopted}' is not a cell name")
    return settings


def silo_cell(plan: TenantPlan) -> str | None:
    """The cell that declares the tenant's own keyspace: its cell if its tier is silo, else a silo source's."""
    if plan.tier.siloed:
        return plan.cell
    return plan.from_cell if plan.silo_tier is not None else None


def silo_resources(plan: TenantPlan) -> int:
    """A silo side: the tenant's component, its keyspace and tables (with their scaling targets and policies when
    provisioned) while it keeps the keyspace, and its role while it is served."""
    count = 1
    capacity = plan.silo_capacity
    if plan.has_own_keyspace and capacity is not None:
        per_table = 1 + (2 * 2 if capacity.auto_scaling is not None else 0)  # the table; read/write target + policy
        count += 1 + per_table * len(TENANT_TABLES)
    if plan.served:
        count += ROLE_RESOURCES
    return count


@dataclass(frozen=True)
class CellLoad:
    """What one cell holds and how many resources it declares."""

    name: str
    tenants: tuple[str, ...]  # whose cell it is
    sources: tuple[str, ...]  # tenants moving away from it (their migration's fromCell)
    pooled_shards: int  # pooled roles it declares
    other_cells: tuple[str, ...]  # the cells it reads (tenants moving between it and them)
    resources: int


def cell_loads(plans: Sequence[TenantPlan]) -> dict[str, CellLoad]:
    """Every cell named by the plans, with its resource count, in cell order (tier, then number)."""
    names = sorted(
        {name for plan in plans for name in (plan.cell, plan.from_cell) if name is not None},
        key=lambda name: (cell_tier(name), cell_number(name)),
    )
    shards: dict[str | None, set[int]] = {}
    for plan in plans:
        if plan.pooled_shard is not None:
            shards.setdefault(plan.pooled_cell, set()).add(plan.pooled_shard)
    return {name: _load(name, plans, len(shards.get(name, ()))) for name in names}


def _load(name: str, plans: Sequence[TenantPlan], pooled_shards: int) -> CellLoad:
    tenants = [plan for plan in plans if plan.cell == name]
    sources = [plan for plan in plans if plan.from_cell == name]
    others = sorted(
        {other for plan in (*tenants, *sources) for other in (plan.cell, plan.from_cell) if other not in (None, name)}
    )
    resources = CELL_FIXED_RESOURCES + BASE_STACK_REFERENCES + len(others)
    resources += sum(KEY_RESOURCES for plan in tenants if plan.served)
    resources += sum(silo_resources(plan) for plan in (*tenants, *sources) if silo_cell(plan) == name)
    if pooled_shards:
        resources += POOLED_ROLES_COMPONENT + ROLE_RESOURCES * pooled_shards
    return CellLoad(
        name=name,
        tenants=tuple(plan.tenant_id for plan in tenants),
        sources=tuple(plan.tenant_id for plan in sources),
        pooled_shards=pooled_shards,
        other_cells=tuple(others),
        resources=resources,
    )


def check_cells(
    tenants: Sequence[TenantSpec], tiers: Mapping[str, TierPolicy], settings: CellSettings
) -> list[ConfigProblem]:
    """Each tenant's cell (and a migration's fromCell) against the catalogue; a missing one names the cell to use."""
    problems: list[ConfigProblem] = []
    missing = [tenant for tenant in tenants if tenant.cell is None]
    suggested = suggest_cells(tenants, tiers, settings) if missing else {}
    for tenant in tenants:
        subject = f"tenant '{tenant.id}'"
        if tenant.cell is None:
            problems.append(
                ConfigProblem(
                    subject,
                    f"has no cell: set {tenant.where}.cell to {suggested[tenant.id]} (the first cell of tier "
                    f"'{tenant.tier}' with room; `tenant-pipeline onboard` writes it)",
                )
            )
            continue
        problems += [ConfigProblem(subject, rule) for rule in _cell_rules(tenant, tiers)]
    return problems


def _cell_rules(tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> list[str]:
    rules: list[str] = []
    tier = tiers[tenant.tier]
    assert tenant.cell is not None
    rules += _fits(f"{tenant.where}.cell", tenant.cell, tier, tiers)
    migration = tenant.migration
    if migration is None:
        return rules
    source = tiers.get(migration.from_tier)
    where = f"{tenant.where}.migration.fromCell"
    if migration.from_cell is None:
        rules.append(f"{where} is required: the cell of tier '{migration.from_tier}' that holds its data now")
    elif migration.from_cell == tenant.cell:
        rules.append(f"{where} is its cell: a move between storage models goes to a cell of the new tier")
    elif source is not None:
        rules += _fits(where, migration.from_cell, source, tiers)
    return rules


def _fits(where: str, cell: str, tier: TierPolicy, tiers: Mapping[str, TierPolicy]) -> list[str]:
    """A cell holds tenants of its tier's storage model (a tier change within one model keeps the cell)."""
    opened_for = tiers.get(cell_tier(cell))
    if opened_for is None:
        return [f"{where} '{cell}' is a cell of tier '{cell_tier(cell)}', which is not defined"]
    if opened_for.storage != tier.storage:
        return [
            f"{where} '{cell}' holds {opened_for.storage} tenants (tier '{opened_for.name}'), not a "
            f"{tier.storage} tier's: use a cell of tier '{tier.name}'"
        ]
    return []


def check_budgets(loads: Iterable[CellLoad], settings: CellSettings) -> list[ConfigProblem]:
    return [
        ConfigProblem(
            f"cell '{load.name}'",
            f"declares {load.resources:,} resources, over tenant-pipeline:cells.budget {settings.budget:,}: put "
            f"its newest tenants in a new cell of tier '{cell_tier(load.name)}' (`tenant-pipeline onboard` picks "
            "one with room)",
        )
        for load in loads
        if load.resources > settings.budget
    ]


_ESTIMATING = Namer("estimate")  # any environment: names do not change a count


def _estimate(tenant: TenantSpec, tier: TierPolicy) -> int:
    """A tenant's resources in its cell as cell_loads counts them (its key, its silo side), for choosing cells; a
    pooled tenant adds a share of a pooled role instead (a shard holds tens of tenants: the exact count is
    cell_loads', which the budget check uses)."""
    served = offboarding.is_served(tenant.status)
    plan = plan_tenant(replace(tenant, migration=None), tier, _ESTIMATING, pooled_shard=0)
    cost = KEY_RESOURCES if served else 0
    if tier.siloed:
        return cost + silo_resources(plan)
    return cost + (1 if served else 0)


def suggest_cells(
    tenants: Sequence[TenantSpec], tiers: Mapping[str, TierPolicy], settings: CellSettings
) -> dict[str, str]:
    """The cell for each tenant that has none: the lowest-numbered cell of its tier with room, else a new one.

    The cells already named are filled in roster order with their tenants' estimated cost; a tenant never moves
    because another joins (only unassigned tenants are placed).
    """
    room = settings.budget - CELL_FIXED_RESOURCES - BASE_STACK_REFERENCES - POOLED_ROLES_COMPONENT - ROLE_RESOURCES
    used: dict[str, int] = {}
    for tenant in tenants:
        if tenant.cell is not None and tenant.tier in tiers:
            used[tenant.cell] = used.get(tenant.cell, 0) + _estimate(tenant, tiers[tenant.tier])
    chosen: dict[str, str] = {}
    for tenant in tenants:
        if tenant.cell is not None or tenant.tier not in tiers:
            continue
        cost = _estimate(tenant, tiers[tenant.tier])
        number = 1
        while used.get(f"{tenant.tier}-{number}", 0) + cost > room and used.get(f"{tenant.tier}-{number}", 0) > 0:
            number += 1
        cell = f"{tenant.tier}-{number}"
        used[cell] = used.get(cell, 0) + cost
        chosen[tenant.id] = cell
    return chosen


def cell_for(
    tenants: Sequence[TenantSpec], tiers: Mapping[str, TierPolicy], settings: CellSettings, tenant_id: str, tier: str
) -> str:
    """The cell a tenant joins when it moves to `tier` (or onboards on it): suggest_cells' choice for it alone."""
    unassigned = [
        replace(tenant, tier=tier, cell=None, migration=None) if tenant.id == tenant_id else tenant
        for tenant in tenants
    ]
    return suggest_cells(unassigned, tiers, settings)[tenant_id]
