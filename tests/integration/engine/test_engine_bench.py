"""The engine benchmark's quick mode on the real Pulumi CLI (bench/engine.py --quick): every stack of an environment
deploys what the program declares, the cells read the platform's outputs through their StackReferences, no cell
is over its budget, and onboarding a tenant deploys only its cell. Structure only: timings are bench/RESULTS.md's.

Runs when a `pulumi` is on the PATH or `make engine` has built one, like the other engine tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.engine import main
from local.engine.toolchain import available

pytestmark = pytest.mark.skipif(not available(), reason="no Pulumi CLI: `make engine` builds one")

PLATFORM = "bench"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    work = tmp_path_factory.mktemp("bench-engine")
    out = work / "engine.json"
    status = main(["--quick", "--no-write", "--keep", "--json", str(out), "--work-dir", str(work / "runs")])
    document = json.loads(out.read_text())
    assert status == 0, [check for check in document["checks"] if not check["holds"]]
    return document, work / "runs"


def checkpoint(root: Path, stack: str) -> list[dict[str, Any]]:
    path = root / "state" / ".pulumi" / "stacks" / "tenant-pipeline" / f"{stack}.json"
    resources: list[dict[str, Any]] = json.loads(path.read_text())["checkpoint"]["latest"]["resources"]
    return resources


def test_every_stack_holds_what_the_program_declares_and_no_cell_is_over_its_budget(run):
    document, _ = run
    stacks = [stack for scenario in document["singles"] + document["cells"] for stack in scenario["stack_results"]]
    assert stacks and all(stack["first"] is not None and stack["no_change"] is not None for stack in stacks)
    assert all(stack["deployed"] == stack["declared"] for stack in stacks)
    cells = [stack for stack in stacks if stack["cell"]]
    assert cells and all(stack["declared"] <= document["budget"] for stack in cells)


def test_the_cells_use_the_platforms_deployed_usage_plans_through_their_stack_reference(run):
    document, runs = run
    scenario = next(s for s in document["cells"] if s["parallel"] == 1)
    root = runs / f"cells-{scenario['tenants']}-{scenario['budget']}"
    platform = checkpoint(root, PLATFORM)
    (stack,) = [r for r in platform if r["type"] == "pulumi:pulumi:Stack"]
    usage_plans = set(stack["outputs"]["usagePlanIds"].values())
    for cell in (s["stack"] for s in scenario["stack_results"] if s["cell"]):
        resources = checkpoint(root, cell)
        (reference,) = [
            r for r in resources if r["type"] == "pulumi:pulumi:StackReference" and r["id"].endswith(f"/{PLATFORM}")
        ]
        plan_keys = [r for r in resources if r["type"].endswith("usagePlanKey:UsagePlanKey")]
        assert plan_keys, cell
        for key in plan_keys:
            assert key["inputs"]["usagePlanId"] in usage_plans
            assert key["propertyDependencies"]["usagePlanId"] == [reference["urn"]]


def test_onboarding_a_tenant_deploys_only_its_cell_adding_its_resources(run):
    document, _ = run
    assert document["onboarding"]
    for onboarding in document["onboarding"]:
        assert onboarding["other_stacks_changed"] == []
        assert onboarding["changes"].get("create", 0) > 0
        assert "delete" not in onboarding["changes"] and "replace" not in onboarding["changes"]
