"""`tenant-pipeline` on the real engine: the CLI `make engine` builds (or the `pulumi` on the PATH), the Automation
API, a file backend under the test's directory, and the stand-in program (tests/support/engine_program): the
project's __main__.py as it is, with ComponentResources where the AWS components would be (no AWS provider can be
built here). What is checked: the platform deploys before the cells and a cell's stack reference reads the
platform's new outputs; cells deploy at once, up to --parallel; a failed cell stops no other and a re-run resumes
it alone; onboarding deploys only the tenant's cell (and the platform first when its declaration changes); the
config edits are what `pulumi config set --path` writes; a move runs its steps in order, target cell before
source, with the migration job between them, and resumes where its job failed.

Each `pulumi up` of a stand-in stack takes a few seconds; the whole file 4-5 minutes on 2 shared cores.
"""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from local.engine.cli import PulumiCli
from local.engine.toolchain import available
from orchestrator import lifecycle, moves, rollout
from orchestrator.errors import MigrationJobError, OrchestratorError
from orchestrator.migration_job import MigrationJob
from tests.support.commands import assert_fails_with_message_alone, run_console_script
from tests.support.engine_env import EngineEnvironment, engine_environment
from tiers.cells import suggest_cells
from tiers.delivery_shards import HEADROOM
from tiers.model import TenantSpec

pytestmark = pytest.mark.skipif(not available(), reason="no Pulumi CLI: `make engine` builds one")

TENANTS = "tenant-pipeline:tenants"
STAND_IN_JOB = Path(__file__).parents[2] / "support" / "engine_program" / "migration_job.py"


def settings(*roster: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "tenant-pipeline:cells": {"budget": 60},
        TENANTS: list(roster),
        **{f"tenant-pipeline:{key}": value for key, value in extra.items()},
    }


THREE_CELLS = settings(
    {"id": "ann", "tier": "basic", "cell": "basic-1"},
    {"id": "bob", "tier": "basic", "cell": "basic-2"},
    {"id": "cyd", "tier": "premium", "cell": "premium-1"},
)


@pytest.fixture
def three_cells(tmp_path: Path) -> Iterator[EngineEnvironment]:
    yield engine_environment(tmp_path, "dev", THREE_CELLS)


def outcomes(results: list[Any]) -> dict[str, str]:
    return {result.stack: result.outcome for result in results}


def state_of(environment: EngineEnvironment, stack: str, kind: str) -> dict[str, dict[str, Any]]:
    """The stack's stand-in resources of `kind` in its state, by name: their inputs."""
    deployment = environment.session.workspace().open(stack).export_stack().deployment
    assert deployment is not None
    return {
        resource["urn"].rsplit("::", 1)[-1]: resource.get("inputs", {})
        for resource in deployment["resources"]
        if resource["type"] == f"tenant-pipeline:standin:{kind}"
    }


def test_up_deploys_the_platform_first_then_the_cells_at_once_and_a_rerun_skips_them(
    three_cells: EngineEnvironment, tmp_path: Path
) -> None:
    environment = three_cells
    # A cell's program waits until two cells' programs have started: with --parallel 2 they run at once, one at a
    # time they never would (the barrier fails it).
    environment.set_env(STANDIN_BARRIER=str(tmp_path / "barrier"))
    results = rollout.up(environment.session, environment.environment())
    assert outcomes(results) == {"dev": "deployed", "dev.basic-1": "deployed", "dev.basic-2": "deployed",
                                 "dev.premium-1": "deployed"}  # fmt: skip
    started = [run["stack"] for run in environment.started()]
    assert started[0] == "dev" and sorted(started[1:]) == ["dev.basic-1", "dev.basic-2", "dev.premium-1"]
    platform = environment.session.workspace().outputs("dev")
    keys = state_of(environment, "dev.basic-1", "ApiKey")
    assert [key["usagePlanId"] for key in keys.values()] == [platform["usagePlanIds"]["basic"]]

    again = rollout.up(environment.session, environment.environment())
    assert outcomes(again) == {"dev": "deployed", "dev.basic-1": "unchanged", "dev.basic-2": "unchanged",
                               "dev.premium-1": "unchanged"}  # fmt: skip
    assert [environment.updates(stack) for stack in ("dev", "dev.basic-1")] == [2, 1]

    # A tier the platform has never deployed, and a tenant on it in a new cell: the cell's key reads the tier's
    # usage plan from the platform's output (a missing tier fails it), so it deploys only if the platform went first.
    grown = environment.settings()
    grown["tenant-pipeline:tiers"] = {"gold": {"storage": "pooled", "throttle": {"rateLimit": 80, "burstLimit": 160,
                                                                                  "quotaPerDay": 100000}}}  # fmt: skip
    grown[TENANTS].append({"id": "dee", "tier": "gold", "cell": "gold-1"})
    environment.write_settings(grown)
    previewed = rollout.preview(environment.session, environment.environment())
    assert outcomes(previewed) == {"dev": "previewed", "dev.basic-1": "previewed", "dev.basic-2": "previewed",
                                   "dev.premium-1": "previewed", "dev.gold-1": "not created"}  # fmt: skip
    assert previewed[0].changes.get("create") == 1  # the gold usage plan
    assert not (environment.project / "Pulumi.dev.gold-1.yaml").exists()  # a preview creates no stack
    results = rollout.up(environment.session, environment.environment())
    assert outcomes(results)["dev.gold-1"] == "deployed"
    platform = environment.session.workspace().outputs("dev")
    assert "gold" in platform["usagePlanIds"]
    assert [key["usagePlanId"] for key in state_of(environment, "dev.gold-1", "ApiKey").values()] == [
        platform["usagePlanIds"]["gold"]
    ]
    assert (environment.project / "Pulumi.dev.gold-1.yaml").is_file()  # created with its settings file
    assert yaml.safe_load((environment.project / "Pulumi.dev.gold-1.yaml").read_text())["config"] == {
        "aws:region": "us-east-1"
    }


def test_a_failed_cell_stops_no_other_and_a_rerun_resumes_it_alone(three_cells: EngineEnvironment) -> None:
    environment = three_cells
    completed = run_console_script(
        "tenant-pipeline",
        "--project-dir",
        str(environment.project),
        "up",
        "--env",
        "dev",
        env={**environment.env(), "STANDIN_FAIL_CELLS": "basic-2"},
    )
    assert completed.returncode == 2, completed.stdout + completed.stderr
    error = completed.stderr.strip().splitlines()[-1]
    assert error.startswith("error: 1 of 4 stacks did not succeed: dev.basic-2 failed:"), error
    assert "stand-in: cell basic-2 fails" in error and "`tenant-pipeline up --env dev` again resumes" in error
    assert "dev.premium-1 │ cell     │ deployed" in completed.stdout  # the summary table
    for stack in ("dev.basic-1", "dev.premium-1"):  # deployed, and nothing undone
        assert environment.updates(stack) == 1
        assert environment.session.workspace().outputs(stack)["tenants"]

    results = rollout.up(environment.session, environment.environment())
    assert outcomes(results) == {"dev": "deployed", "dev.basic-1": "unchanged", "dev.basic-2": "deployed",
                                 "dev.premium-1": "unchanged"}  # fmt: skip
    assert [environment.updates(stack) for stack in ("dev.basic-1", "dev.basic-2", "dev.premium-1")] == [1, 2, 1]
    assert list(environment.session.workspace().outputs("dev.basic-2")["tenants"]) == ["bob"]


def expected_cell(environment: EngineEnvironment, tenant: str, tier: str) -> str:
    config = environment.environment().config
    assert config.cells is not None
    new = TenantSpec(tenant, tier, index=len(config.tenants))
    return suggest_cells([*config.tenants, new], config.tiers, config.cells)[tenant]


def streams(served: int, quota: int) -> int:
    """How many enriched-events delivery streams the platform declares for `served` tenants (docs/design.md)."""
    return max(1, math.ceil(served / (quota * HEADROOM)))


def test_onboard_writes_what_config_set_path_writes_and_deploys_the_tenants_cell_alone(tmp_path: Path) -> None:
    quota = 4  # Firehose partitions per stream: a few tenants make the platform add a stream
    environment = engine_environment(
        tmp_path / "e",
        "dev",
        settings({"id": "ann", "tier": "basic", "cell": "basic-1"}, {"id": "cyd", "tier": "premium",
                 "cell": "premium-1"}, quotas={"firehosePartitions": quota}),
    )  # fmt: skip
    rollout.up(environment.session, environment.environment())
    original = (environment.project / "Pulumi.dev.yaml").read_text()
    updates = {stack: environment.updates(stack) for stack in ("dev", "dev.basic-1", "dev.premium-1")}
    served = 2
    for tenant in ("eve", "fay"):
        cell = expected_cell(environment, tenant, "basic")
        platform_changes = streams(served + 1, quota) != streams(served, quota)
        lifecycle.onboard(environment.session, environment.environment(), tenant, "basic")
        served += 1
        updates["dev"] += platform_changes
        updates[f"dev.{cell}"] = updates.get(f"dev.{cell}", 0) + 1
        assert {stack: environment.updates(stack) for stack in updates} == updates, tenant
        assert environment.settings()[TENANTS][-1] == {"id": tenant, "tier": "basic", "cell": cell}
    assert updates["dev"] == 2  # the fourth served tenant added a delivery stream: the platform went first
    runs = [run["stack"] for run in environment.started()]
    assert runs[-2:] == ["dev", "dev.basic-1"]

    # What `pulumi config set --path` writes for the same two entries, on a twin of the original settings.
    twin = PulumiCli(environment.project, state_dir=tmp_path / "e" / "state", home_dir=tmp_path / "e" / "home")
    (environment.project / "Pulumi.twin.yaml").write_text(original)
    twin.run("stack", "init", "twin")
    for index, tenant in ((2, "eve"), (3, "fay")):
        cell = environment.settings()[TENANTS][index]["cell"]
        for key, value in (("id", tenant), ("tier", "basic"), ("cell", cell)):
            twin.run("config", "set", "--path", "--stack", "twin", f"{TENANTS}[{index}].{key}", value)
    assert without_salt(environment.project / "Pulumi.twin.yaml") == without_salt(
        environment.project / "Pulumi.dev.yaml"
    )

    lifecycle.offboard(environment.session, environment.environment(), "fay")
    assert environment.settings()[TENANTS][3] == {"id": "fay", "tier": "basic", "cell": "basic-1",
                                                  "status": "offboarded"}  # fmt: skip
    records = environment.session.workspace().outputs("dev.basic-1")["tenants"]
    assert records["fay"]["status"] == "offboarded" and records["eve"]["status"] == "active"
    assert environment.updates("dev") == 3  # back to three served: one stream less


def without_salt(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if not line.startswith("encryptionsalt:"))


def test_a_move_runs_its_steps_in_order_with_the_job_between_them_and_resumes_where_the_job_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = MigrationJob(command=(sys.executable, str(STAND_IN_JOB)), work_dir=tmp_path / "lifecycle")
    environment = engine_environment(
        tmp_path / "e",
        "dev",
        settings({"id": "ann", "tier": "basic", "cell": "basic-1"}, {"id": "cyd", "tier": "premium",
                 "cell": "premium-1"}),
        job=job,
    )  # fmt: skip
    rollout.up(environment.session, environment.environment())
    monkeypatch.setenv("STANDIN_LOG", str(environment.log))  # the job logs beside the programs
    monkeypatch.setenv("STANDIN_JOB_FAILS", "cutover")
    target = expected_cell(environment, "ann", "premium")
    with pytest.raises(MigrationJobError, match="failed for tenant ann in state cutover"):
        moves.move(environment.session, environment.environment(), "ann", "premium")
    assert environment.settings()[TENANTS][0]["migration"]["state"] == "cutover"
    monkeypatch.delenv("STANDIN_JOB_FAILS")
    moves.move(environment.session, environment.environment(), "ann", "premium")

    assert environment.settings()[TENANTS][0] == {"id": "ann", "tier": "premium", "cell": target}
    runs = environment.started()[3:]  # after the first `up` (platform and two cells)
    jobs = [(run["state"], run["verified"]) for run in runs if "job" in run]
    digest = jobs[1][1]
    assert jobs == [("copying", None), ("cutover", digest), ("done", digest)]  # cutover: ran once, after the resume
    order = [run.get("stack") or f"job {run['state']}" for run in runs if run.get("stack") != "dev"]
    source, target_stack = "dev.basic-1", f"dev.{target}"
    assert order == [
        target_stack, source, "job copying",  # start: the target, then the source
        target_stack, source,  # cutover deployed; the job failed; the re-run deployed nothing again
        "job cutover",
        target_stack, source, "job done",
        target_stack, source,  # the block removed: the source drops the emptied side
    ]  # fmt: skip
    assert "ann" not in environment.session.workspace().outputs(source)["tenants"]
    assert environment.session.workspace().outputs(target_stack)["tenants"]["ann"]["tier"] == "premium"
    assert state_of(environment, source, "SiloSide") == {}


def test_a_step_the_deployed_records_refuse_is_refused_before_anything_is_written_or_deployed(
    three_cells: EngineEnvironment,
) -> None:
    environment = three_cells
    rollout.up(environment.session, environment.environment())
    hand_edited = copy.deepcopy(environment.settings())
    # A move written by hand straight into cutover: valid config, but ann's deployed record is not moving.
    hand_edited[TENANTS][0] = {"id": "ann", "tier": "premium", "cell": "premium-1", "migration": {
        "from": "basic", "state": "cutover", "fromCell": "basic-1", "verified": "0123456789abcdef"}}  # fmt: skip
    environment.write_settings(hand_edited)
    written = (environment.project / "Pulumi.dev.yaml").read_text()
    updates = {stack: environment.updates(stack) for stack in ("dev", "dev.basic-1", "dev.premium-1")}
    completed = run_console_script(
        "tenant-pipeline", "--project-dir", str(environment.project), "move", "ann", "--tier", "premium", "--env",
        "dev", env=environment.env(),
    )  # fmt: skip
    assert completed.returncode == 2
    error = completed.stderr[completed.stderr.index("error: ") :]
    assert error.startswith("error: nothing written: stack dev.premium-1 would refuse the change:"), error
    assert "tenants[0].migration.state: a move starts in copying" in error
    assert (environment.project / "Pulumi.dev.yaml").read_text() == written
    assert {stack: environment.updates(stack) for stack in updates} == updates

    # A cell's own settings file naming another region than its environment's: refused before anything deploys.
    cell_file = environment.project / "Pulumi.dev.basic-1.yaml"
    cell_file.write_text(cell_file.read_text().replace("us-east-1", "eu-west-1"))
    with pytest.raises(OrchestratorError, match=r"Pulumi\.dev\.basic-1\.yaml sets aws:region eu-west-1, but"):
        rollout.up(environment.session, environment.environment())
    assert {stack: environment.updates(stack) for stack in updates} == updates

    missing = run_console_script(
        "tenant-pipeline", "--project-dir", str(environment.project), "offboard", "nobody", "--env", "dev",
        env=environment.env(),
    )  # fmt: skip
    assert_fails_with_message_alone(missing, "tenant 'nobody' is not in Pulumi.dev.yaml's tenant-pipeline:tenants")
