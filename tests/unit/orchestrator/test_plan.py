"""`tenant-pipeline plan`: every stack of an environment under mocks (orchestrator/plan.py), its document against
what each stack declares, and the environment's rules: the platform and every cell listed, each cell within its
budget, each served tenant in exactly one cell, no tenant's resource in the platform."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from local.environment import run_environment
from orchestrator.plan import plan, print_plan
from orchestrator.session import Session
from orchestrator.stacks import Environment
from tests.support.cell_roster import cell_settings
from tests.support.commands import assert_fails_with_message_alone, run_console_script
from tiers.cells import BASE_STACK_REFERENCES

TENANTS = "tenant-pipeline:tenants"
DOCUMENT_KEYS = {"format", "environment", "region", "cells", "previous", "transitions", "stacks", "tenants", "quotas"}


def check_environment_rules(document: dict[str, Any]) -> None:
    """The acceptance rules, on any environment's plan: with cells or without."""
    stacks = document["stacks"]
    assert [stack["kind"] for stack in stacks] == ["platform"] + ["cell"] * (len(stacks) - 1)
    assert stacks[0]["name"] == document["environment"]
    served = [tenant["id"] for tenant in document["tenants"] if tenant["status"] == "active"]
    holders = stacks[1:] if document["cells"] is not None else stacks
    for tenant in served:
        assert [stack["name"] for stack in holders if tenant in stack["tenants"]] != [], tenant
        assert len([stack for stack in holders if tenant in stack["tenants"]]) == 1, tenant
    for stack in stacks[1:]:
        assert stack["budget"]["limit"] == document["cells"]["budget"]
        assert stack["resources"]["total"] <= stack["budget"]["counted"] <= stack["budget"]["limit"], stack["name"]
    if document["cells"] is not None:
        assert stacks[0]["tenants"] == []


def session(tmp_path: Path) -> Session:
    return Session(project_dir=tmp_path, out=Console(width=200), err=Console(stderr=True, width=200))


def test_the_plan_lists_every_stack_with_what_it_declares(
    write_environment: Callable[..., Environment], tmp_path: Path
) -> None:
    environment = write_environment(cell_settings())
    planned = plan(session(tmp_path), environment, use_backend=False)
    document = json.loads(json.dumps(planned.document()))
    assert set(document) == DOCUMENT_KEYS
    assert (document["previous"], document["transitions"]) == (None, None)  # nothing deployed: a first deploy
    loads = environment.config.cell_loads
    assert [stack["name"] for stack in document["stacks"]] == ["dev", *(f"dev.{cell}" for cell in loads)]
    declared = {run.stack: run.declaration.count_by_type() for run in planned.run.stacks}
    for stack in document["stacks"]:
        assert stack["resources"]["byType"] == dict(declared[stack["name"]])
        assert stack["resources"]["total"] == sum(declared[stack["name"]].values())
        if stack["cell"] is not None:
            load = loads[stack["cell"]]
            assert (stack["tenants"], stack["sources"]) == (list(load.tenants), list(load.sources))
            assert stack["tier"] == stack["cell"].rsplit("-", 1)[0]
            # What tiers/cells.py counts for the budget is what the cell declares and the stacks it reads.
            references = BASE_STACK_REFERENCES + len(load.other_cells)
            assert stack["budget"]["counted"] == stack["resources"]["total"] + references
    assert {tenant["id"]: tenant["cell"] for tenant in document["tenants"]} == {
        entry["id"]: entry["cell"] for entry in environment.raw[TENANTS]
    }
    check_environment_rules(document)
    with (tmp_path / "out.txt").open("w") as out:
        print_plan(Console(file=out, width=200), planned)
    assert all(stack["name"] in (tmp_path / "out.txt").read_text() for stack in document["stacks"])


def test_the_platform_declares_no_tenants_resource(write_environment: Callable[..., Environment]) -> None:
    settings = cell_settings()
    small = run_environment("dev", write_environment(settings).project_dir)
    more = copy.deepcopy(settings)
    more[TENANTS] += [
        {"id": "zeta-silo", "tier": "premium", "cell": "premium-2"},
        {"id": "zeta-pooled", "tier": "basic", "cell": "basic-1"},
        {"id": "zeta-gone", "tier": "basic", "cell": "basic-3", "status": "offboarded"},
    ]
    larger = run_environment("dev", write_environment(more).project_dir)
    assert len(larger.cells()) == len(small.cells()) + 2
    urns = [sorted(resource.urn for resource in run.platform.declaration.resources) for run in (small, larger)]
    assert urns[0] == urns[1]
    assert not [urn for urn in urns[1] if "zeta" in urn]


def test_each_tenants_step_comes_from_the_outputs_each_stack_deployed(
    write_environment: Callable[..., Environment],
) -> None:
    settings = cell_settings()
    deployed = run_environment("dev", write_environment(settings).project_dir).outputs()
    changed = copy.deepcopy(settings)
    changed[TENANTS][3]["status"] = "offboarded"  # hooli
    changed[TENANTS].append({"id": "newco", "tier": "basic", "cell": "basic-2"})
    environment = write_environment(changed)
    steps = run_environment("dev", environment.project_dir, deployed=deployed).config.transitions
    assert steps is not None
    kinds = {step.tenant_id: step.kind for step in steps}
    assert kinds == {entry["id"]: "unchanged" for entry in settings[TENANTS] if entry["id"] != "hooli"} | {
        "hooli": "offboard",
        "newco": "onboard",
    }
    assert run_environment("dev", environment.project_dir).config.transitions is None  # a first deploy


def test_tenant_pipeline_plan_env_dev_json_holds_the_environment_rules() -> None:
    completed = run_console_script("tenant-pipeline", "plan", "--env", "dev", "--json", "--offline")
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["environment"] == "dev" and set(document) == DOCUMENT_KEYS
    check_environment_rules(document)


def test_expected_failures_end_with_their_message_alone() -> None:
    missing = run_console_script("tenant-pipeline", "up", "--env", "nope")
    assert_fails_with_message_alone(missing, "Environment 'nope' cannot be deployed: no stack file Pulumi.nope.yaml")
    assert missing.returncode == 2
    listed = run_console_script("tenant-pipeline", "onboard", "acme", "--tier", "basic", "--env", "dev")
    assert_fails_with_message_alone(listed, "tenant 'acme' is already in the roster (tenants[0]: tier premium")
    cell = run_console_script("tenant-pipeline", "plan", "--env", "dev.basic-1")
    assert_fails_with_message_alone(cell, "'dev.basic-1' is the stack of cell basic-1: give its environment, --env dev")
