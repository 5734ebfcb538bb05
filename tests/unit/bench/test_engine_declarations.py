"""What the engine benchmark's stand-in replays (bench/engine_declarations.py): each stack as the program declares
it under mocks, with the cells' reads of the platform's outputs and the program's secrets kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.engine_declarations import SECRET, Environment, declare, onboard, tenants_for
from functions.contracts.cells import cell_stack
from tiers.cells import BUDGET_RANGE

BUDGET = BUDGET_RANGE[0]


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Environment:
    return declare(tenants_for(12, BUDGET), BUDGET, tmp_path_factory.mktemp("declare"))


def test_every_tenant_is_in_a_cell_and_every_cell_is_a_stack(environment: Environment) -> None:
    cells = {tenant["cell"] for tenant in environment.tenants}
    assert {stack.stack for stack in environment.cells} == {
        cell_stack(environment.platform.stack, cell) for cell in cells
    }
    assert all(stack.resources <= BUDGET for stack in environment.cells)


def test_a_cell_reads_each_usage_plan_id_from_the_platforms_output(environment: Environment) -> None:
    usage_plan_ids = environment.platform.document["exports"]["usagePlanIds"]
    for cell in environment.cells:
        references = {
            r["name"]: r["inputs"]["name"] for r in cell.document["resources"] if r["type"].endswith("StackReference")
        }
        plan_keys = [r for r in cell.document["resources"] if r["type"] == "aws:apigateway/usagePlanKey:UsagePlanKey"]
        assert plan_keys, cell.stack
        for key in plan_keys:
            (link,) = key["links"]
            assert references[link["reference"]].endswith(f"/{environment.platform.stack}")
            assert link["input"] == ["usagePlanId"] and link["output"] == "usagePlanIds"
            assert usage_plan_ids[link["path"][0]] == key["inputs"]["usagePlanId"] == link["literal"]


def test_secrets_stay_secret(environment: Environment) -> None:
    keys = [r for s in environment.cells for r in s.document["resources"] if r["type"].endswith("apiKey:ApiKey")]
    assert keys and all(set(key["inputs"]["value"]) == {SECRET} for key in keys)
    assert set(environment.platform.document["exports"]["apiKeySecret"]) == {SECRET}


def test_onboarding_changes_only_the_cell_that_gains_the_tenant(environment: Environment, tmp_path: Path) -> None:
    after = declare(onboard(environment, "newco", environment.tenants[0]["tier"]), BUDGET, tmp_path)
    cell = next(t["cell"] for t in after.tenants if t["id"] == "newco")
    before = {stack.stack: stack for stack in environment.stacks}
    changed = [s.stack for s in after.stacks if s.stack not in before or not s.same_as(before[s.stack])]
    assert changed == [cell_stack(environment.platform.stack, cell)]
