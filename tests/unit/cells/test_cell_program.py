"""Every stack of an environment with cells under Pulumi mocks: what each cell declares is what tiers/cells.py
counts, the platform declares no tenant's resource, each served tenant is in exactly one cell, and a move across
two cells declares each side where it belongs, step by step."""

from __future__ import annotations

import copy
import time
from collections import Counter
from typing import Any

import pytest

from functions.contracts.cells import cell_stack
from local.environment import EnvironmentRun, run_settings
from local.previous_roster import PreviousRoster
from tiers.cells import CellSettings, suggest_cells
from tiers.load import load_stack_config
from tiers.model import TenantSpec

# The resource types only a tenant's own resources have (its key, its silo storage and role).
PER_TENANT_TYPES = {
    "aws:apigateway/apiKey:ApiKey",
    "aws:apigateway/usagePlanKey:UsagePlanKey",
    "tenant-pipeline:storage:SiloTenant",
}
PROVISIONED = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}


def environment(tenants: list[dict[str, Any]], budget: int = 1000, **project: Any) -> dict[str, Any]:
    raw = {"aws:region": "us-east-1", "tenant-pipeline:cells": {"budget": budget}, "tenant-pipeline:tenants": tenants}
    raw.update({f"tenant-pipeline:{key}": value for key, value in project.items()})
    return raw


def assigned(tenants: list[dict[str, Any]], budget: int, **project: Any) -> list[dict[str, Any]]:
    """The roster with each tenant's cell as the program suggests it (what `tenant-pipeline onboard` writes)."""
    shape = load_stack_config({"tenants": tenants, **project}, "env", "us-east-1")  # the catalogue, without cells
    specs = [TenantSpec(t["id"], t["tier"], t.get("status", "active"), index=n) for n, t in enumerate(tenants)]
    cells = suggest_cells(specs, shape.tiers, CellSettings(budget=budget))
    return [{**t, "cell": cells[t["id"]]} for t in tenants]


def check_counts(run: EnvironmentRun) -> None:
    for cell in run.cells():
        assert cell.cell is not None
        declared = len(cell.declaration.resources) + len(cell.declaration.references)
        assert declared == run.config.cell_loads[cell.cell].resources, cell.stack


def served_cells(run: EnvironmentRun) -> Counter[str]:
    """How many cells publish each tenant's record."""
    return Counter(tenant for cell in run.cells() for tenant in (cell.declaration.outputs.get("tenants") or {}))


def test_each_cell_declares_what_the_config_counts_for_it() -> None:
    roster = [
        {"id": "acme", "tier": "premium", "cell": "premium-1"},
        {"id": "gone-retain", "tier": "premium", "cell": "premium-1", "status": "offboarded"},
        {"id": "initech", "tier": "basic", "cell": "basic-1"},
        {"id": "hooli", "tier": "basic", "cell": "basic-2"},
        {"id": "vandelay", "tier": "basic", "cell": "basic-1", "status": "offboarded"},
        {"id": "bigcorp", "tier": "enterprise", "cell": "enterprise-1"},
    ]
    enterprise = {
        "enterprise": {
            "storage": "silo",
            "throttle": {"rateLimit": 100, "burstLimit": 200, "quotaPerDay": 1000},
            "offboarding": "scale-down",
            **PROVISIONED,
        }
    }
    run = run_settings("env", environment(roster, tiers=enterprise))
    assert [cell.cell for cell in run.cells()] == list(run.config.cell_loads)
    check_counts(run)


def test_the_platform_declares_no_tenants_resource_and_each_tenant_is_in_one_cell() -> None:
    roster = [{"id": f"t{n:03d}", "tier": "premium" if n % 4 == 0 else "basic"} for n in range(12)]
    run = run_settings("env", environment(assigned(roster, 1000)))
    platform_types = set(run.platform.declaration.count_by_type())
    assert not platform_types & PER_TENANT_TYPES
    assert "tenants" not in run.platform.declaration.outputs
    assert served_cells(run) == Counter({t["id"]: 1 for t in roster})


def step(run: EnvironmentRun, raw: dict[str, Any], edit: Any) -> tuple[dict[str, Any], EnvironmentRun]:
    """One deploy of an edited roster, its steps checked against what `run` deployed."""
    raw = copy.deepcopy(raw)
    edit(raw["tenant-pipeline:tenants"])
    deployed = PreviousRoster("the step before", dict(run.declaration.outputs["tenants"]))
    return raw, run_settings("env", raw, previous=deployed)


def resources_of(run: EnvironmentRun, stack: str, tenant: str) -> set[str]:
    (cell,) = [cell for cell in run.cells() if cell.stack == stack]
    return {r.type for r in cell.declaration.resources if r.name.endswith(f"-{tenant}") or f"tenant-{tenant}" in r.name}


def test_a_move_across_two_cells_declares_each_side_in_its_cell_at_each_step() -> None:
    raw = environment(
        [
            {"id": "acme", "tier": "premium", "cell": "premium-1"},
            {"id": "initech", "tier": "basic", "cell": "basic-1"},
            {"id": "hooli", "tier": "basic", "cell": "basic-1"},
        ]
    )
    run = run_settings("env", raw)
    key_before = run.declaration.outputs["tenants"]["initech"]["keyCell"]

    def start(tenants: list[dict[str, Any]]) -> None:
        tenants[1] |= {"tier": "premium", "cell": "premium-1"}
        tenants[1]["migration"] = {"from": "basic", "fromCell": "basic-1", "state": "copying"}

    raw, run = step(run, raw, start)
    check_counts(run)
    assert served_cells(run)["initech"] == 1  # its record moved with it: the target cell publishes it
    record = run.declaration.outputs["tenants"]["initech"]
    assert (record["cell"], record["keyCell"]) == ("premium-1", "premium-1")
    assert key_before == "basic-1"  # a new key, of its new cell: both exist while it moves
    assert "tenant-pipeline:storage:SiloTenant" in resources_of(run, cell_stack("env", "premium-1"), "initech")
    # Its pooled side stays in basic-1 (its shard's role still trusts it) while the copy runs.
    basic = next(cell for cell in run.cells() if cell.cell == "basic-1")
    trust = [r.inputs["assumeRolePolicy"] for r in basic.declaration.of_type("aws:iam/role:Role")]
    assert any('"initech"' in policy for policy in trust)

    for state in ("cutover", "done"):
        raw, run = step(run, raw, lambda tenants, s=state: tenants[1]["migration"].update(state=s, verified="0" * 16))
        check_counts(run)
    raw, run = step(run, raw, lambda tenants: tenants[1].pop("migration"))
    check_counts(run)
    basic = next(cell for cell in run.cells() if cell.cell == "basic-1")
    assert not any('"initech"' in r.inputs["assumeRolePolicy"] for r in basic.declaration.of_type("aws:iam/role:Role"))


def test_1200_tenants_over_several_cells_each_stack_within_its_budget() -> None:
    """The issue's scale: 1,200 tenants, a tenth silo, over cells of 500 resources, every stack under mocks."""
    budget = 500
    quotas = {"quotas": {"apiThrottle": 200_000, "lambdaConcurrency": 3_000}}  # as AWS would have raised them
    tenants = [{"id": f"t{n:04d}", "tier": "premium" if n % 10 == 0 else "basic"} for n in range(1200)]
    roster = assigned(tenants, budget, **quotas)
    started = time.perf_counter()
    run = run_settings("env", environment(roster, budget=budget, **quotas))
    seconds = time.perf_counter() - started
    assert len(run.cells()) > 2, [cell.cell for cell in run.cells()]
    for cell in run.cells():
        assert len(cell.declaration.resources) + len(cell.declaration.references) <= budget, cell.stack
    check_counts(run)
    assert served_cells(run) == Counter({t["id"]: 1 for t in roster})
    assert not set(run.platform.declaration.count_by_type()) & PER_TENANT_TYPES
    print(f"1,200 tenants, {len(run.cells())} cells: {seconds:.1f} s under mocks")


@pytest.mark.parametrize("tier", ["premium", "basic"])
def test_offboarding_in_a_cell_keeps_its_record_there(tier: str) -> None:
    raw = environment([{"id": "acme", "tier": tier, "cell": f"{tier}-1"}])
    run = run_settings("env", raw)
    raw, run = step(run, raw, lambda tenants: tenants[0].update(status="offboarded"))
    record = run.declaration.outputs["tenants"]["acme"]
    assert (record["status"], record["roleArn"], record["cell"]) == ("offboarded", None, f"{tier}-1")
    assert "aws:apigateway/apiKey:ApiKey" not in resources_of(run, cell_stack("env", f"{tier}-1"), "acme")
