"""What the real Pulumi CLI writes with `pulumi config set --path` is what the program reads.

Runs when a `pulumi` is on the PATH or `make engine` has built one (build/engine); the CLI is not part of
`make test`'s install (README, "Running on the real engine").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from local.engine.cli import PulumiCli
from local.engine.toolchain import available
from local.environment import run_settings
from local.paths import PROJECT_ROOT
from local.program import ProgramStopped, run_program

pytestmark = pytest.mark.skipif(not available(), reason="no Pulumi CLI: `make engine` builds one")


@pytest.fixture
def cli(tmp_path: Path) -> PulumiCli:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copyfile(PROJECT_ROOT / name, project / name)
    cli = PulumiCli(project, state_dir=tmp_path / "state", home_dir=tmp_path / "home")
    cli.select_or_init("dev")
    return cli


def test_a_tenant_onboarded_and_a_tier_tuned_with_config_set_path_reach_the_program(cli):
    cli.run("config", "set", "--path", "tenant-pipeline:tenants[6].id", "newco")
    cli.run("config", "set", "--path", "tenant-pipeline:tenants[6].tier", "basic")
    cli.run("config", "set", "--path", "tenant-pipeline:tenants[6].cell", "basic-1")
    # --path stores a bare number as a number, and a quoted one as a string: the program takes both.
    cli.run("config", "set", "--path", "tenant-pipeline:tiers.basic.throttle.rateLimit", "25")
    cli.run("config", "set", "--path", "tenant-pipeline:tiers.basic.throttle.burstLimit", "50", "--type", "string")

    config = cli.engine_config("dev")
    assert json.loads(config["tenant-pipeline:tenants"])[6] == {"id": "newco", "tier": "basic", "cell": "basic-1"}
    # The platform and its cells, each reading the settings file as the CLI left it (structured values as JSON).
    settings = {key: json.loads(value) if value[:1] in "[{" else value for key, value in config.items()}
    declared = run_settings("dev", settings).declaration

    assert declared.outputs["tenants"]["newco"]["tier"] == "basic"
    plans = [r for r in declared.resources if r.type == "aws:apigateway/usagePlan:UsagePlan"]
    basic = [p for p in plans if "basic" in p.name]
    assert basic, [p.name for p in plans]
    assert basic[0].inputs["throttleSettings"] == {"rateLimit": 25, "burstLimit": 50}


def test_a_bad_value_set_with_path_is_refused_naming_the_path(cli):
    cli.run("config", "set", "--path", "tenant-pipeline:tenants[0].tier", "gold")
    with pytest.raises(ProgramStopped, match=r"tenant 'acme': tier 'gold' is not defined"):
        run_program("dev", cli.engine_config("dev"))
