"""tiers/cells.py and tiers/cell_scope.py: which cell a tenant belongs to, what is refused, each tenant's API key
salt, and the steps a cell checks, all from the config alone."""

from __future__ import annotations

from typing import Any

import pytest

from functions.contracts.cells import cell_tier
from functions.contracts.directory import TenantRecord
from tests.support.config import load, only_problem, problems_of
from tiers.cell_scope import cell_transitions, key_cells
from tiers.cells import CELL_FIXED_RESOURCES, CellSettings, cell_for, suggest_cells
from tiers.model import MigrationSpec, TenantSpec
from tiers.stacks import StackScope

ARN = "arn:aws:iam::123456789012:role/tenant-pipeline/dev/tenants/"


def celled(*tenants: dict[str, Any], budget: int = 1000, **raw: Any) -> dict[str, Any]:
    return {"cells": {"budget": budget}, "tenants": list(tenants), **raw}


def entry(tenant: str, tier: str, cell: str | None, **more: Any) -> dict[str, Any]:
    return {"id": tenant, "tier": tier, **({"cell": cell} if cell else {}), **more}


def test_each_tenant_is_declared_by_its_cell() -> None:
    config = load(celled(entry("acme", "premium", "premium-1"), entry("globex", "basic", "basic-1")))
    assert {load.name: load.tenants for load in config.cell_loads.values()} == {
        "premium-1": ("acme",),
        "basic-1": ("globex",),
    }


def test_a_tenant_without_a_cell_is_refused_with_the_cell_to_use() -> None:
    message = only_problem(celled(entry("acme", "premium", "premium-1"), entry("globex", "basic", None)))
    assert message.startswith("tenant 'globex': has no cell: set tenants[1].cell to basic-1 (the first cell of tier ")


def test_a_new_cell_opens_when_the_last_is_full_and_no_tenant_moves() -> None:
    placed = [entry(f"t{n}", "premium", "premium-1") for n in range(5)]
    full = load(celled(*placed)).cell_loads["premium-1"]
    settings = CellSettings(budget=full.resources)  # exactly full: one more silo tenant does not fit
    tiers = load(celled(*placed)).tiers
    tenants = [TenantSpec(f"t{n}", "premium", cell="premium-1", index=n) for n in range(5)]
    newcomers = [TenantSpec(f"n{n}", "premium", index=5 + n) for n in range(3)]
    chosen = suggest_cells([*tenants, *newcomers], tiers, settings)
    assert set(chosen) == {t.id for t in newcomers}  # the placed tenants keep their cell
    assert all(cell_tier(cell) == "premium" and cell != "premium-1" for cell in chosen.values())
    assert chosen["n0"] == "premium-2"


def test_the_cell_of_a_move_is_a_cell_of_the_new_tier() -> None:
    config = load(celled(entry("acme", "premium", "premium-1"), entry("globex", "basic", "basic-1")))
    assert config.cells is not None
    assert cell_for(config.tenants, config.tiers, config.cells, "globex", "premium") == "premium-1"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("basic-1", "tenants[0].cell 'basic-1' holds pooled tenants (tier 'basic'), not a silo tier's"),
        ("gold-1", "tenants[0].cell 'gold-1' is a cell of tier 'gold', which is not defined"),
        ("premium", "tenants[0].cell 'premium' is not a cell name"),
    ],
)
def test_a_cell_must_be_a_cell_of_the_tenants_storage_model(cell: str, expected: str) -> None:
    assert expected in only_problem(celled(entry("acme", "premium", cell)))


def test_a_tier_change_within_a_storage_model_keeps_the_cell() -> None:
    free = {"free": {"storage": "pooled", "throttle": {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 100}}}
    config = load(celled(entry("acme", "free", "basic-1"), tiers=free))
    assert config.cell_loads["basic-1"].tenants == ("acme",)


def test_a_move_names_the_cell_it_leaves() -> None:
    moving = entry("acme", "premium", "premium-1", migration={"from": "basic", "state": "copying"})
    assert only_problem(celled(moving)).endswith(
        "tenants[0].migration.fromCell is required: the cell of tier 'basic' that holds its data now"
    )
    moving["migration"]["fromCell"] = "premium-1"
    assert "is its cell: a move between storage models goes to a cell of the new tier" in only_problem(celled(moving))
    moving["migration"]["fromCell"] = "basic-1"
    config = load(celled(moving))
    assert (config.cell_loads["premium-1"].tenants, config.cell_loads["basic-1"].sources) == (("acme",), ("acme",))


def test_a_cell_over_its_budget_is_refused_naming_it() -> None:
    silo = [entry(f"t{n}", "premium", "premium-1") for n in range(10)]
    problems = problems_of(celled(*silo, budget=50))
    assert len(problems) == 1 and problems[0].startswith("cell 'premium-1': declares ")
    assert "over tenant-pipeline:cells.budget 50" in problems[0]


def test_without_cells_no_entry_names_one() -> None:
    assert "names a cell, but the environment has none" in only_problem(
        {"tenants": [entry("acme", "premium", "premium-1")]}
    )


def test_a_cell_stack_of_an_environment_without_cells_is_refused() -> None:
    problems = problems_of({"tenants": [entry("acme", "premium", None)]}, scope=StackScope("dev", "premium-1"))
    assert problems == [
        "stack 'dev.premium-1': is cell premium-1 of environment dev, which has no cells (tenant-pipeline:cells)"
    ]


def record(tier: str, cell: str | None, key_cell: str | None, tenant: str = "acme") -> TenantRecord:
    pooled = tier == "basic"
    return TenantRecord(
        tenant,
        tier,
        "active",
        "tenants_pool" if pooled else f"tenant_{tenant}",
        f"tenant={tenant}/",
        ARN + tenant,
        cell=cell,
        key_cell=key_cell,
    )


def test_a_tenants_key_salt_is_its_first_cells_and_stays_while_it_stays() -> None:
    acme = TenantSpec("acme", "premium", cell="premium-2")
    assert key_cells([acme], {}) == {"acme": "premium-2"}  # new: its cell's
    assert key_cells([acme], {"acme": record("premium", "premium-2", "premium-1")}) == {"acme": "premium-1"}
    assert key_cells([acme], {"acme": record("basic", "basic-1", "basic-1")}) == {"acme": "premium-2"}  # moved
    assert key_cells([acme], {"acme": record("premium", None, None)}) == {"acme": None}  # from before cells


def test_a_cell_refuses_a_tenant_it_holds_that_the_roster_puts_elsewhere_without_a_move() -> None:
    tiers = load(celled(entry("acme", "premium", "premium-1"))).tiers
    elsewhere = TenantSpec("acme", "premium", cell="premium-2")
    steps = cell_transitions({"acme": record("premium", "premium-1", "premium-1")}, [elsewhere], tiers, "premium-1")
    assert [str(p) for p in steps.problems] == [
        "tenant 'acme': is deployed in cell premium-1, but tenants[0].cell is premium-2: a tenant changes cell "
        "only with a move between storage models (its migration's fromCell: premium-1)"
    ]


def test_both_cells_of_a_move_check_its_step_against_where_its_data_is() -> None:
    tiers = load(celled(entry("acme", "premium", "premium-1"))).tiers
    deployed = {"acme": record("basic", "basic-1", "basic-1")}
    moving = TenantSpec(
        "acme", "premium", cell="premium-1", migration=MigrationSpec("basic", "copying", from_cell="basic-1")
    )
    for cell in ("premium-1", "basic-1"):
        (step,) = cell_transitions(deployed, [moving], tiers, cell).items
        assert step.kind == "move-start"
    wrong = TenantSpec(
        "acme", "premium", cell="premium-1", migration=MigrationSpec("basic", "copying", from_cell="basic-2")
    )
    (problem,) = cell_transitions(deployed, [wrong], tiers, "premium-1").problems
    assert "fromCell is 'basic-2', but its data is deployed in cell 'basic-1'" in str(problem)


def test_the_fixed_cost_of_a_cell_is_what_every_cell_declares() -> None:
    config = load(celled(entry("acme", "basic", "basic-1", status="offboarded")))
    (only,) = config.cell_loads.values()
    assert only.resources == CELL_FIXED_RESOURCES + 2  # its components and slice, and its two stack references
