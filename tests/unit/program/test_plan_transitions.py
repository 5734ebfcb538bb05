"""`make plan` shows each tenant's transition from the roster deployed last, before anything else, and refuses a
step out of order with the path to take. The previous roster: `--previous FILE` (a `tenants` map, a directory
document, a stack export) or the stack's checkpoint in a self-managed local backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from functions.contracts.directory import directory_document, parse_document
from local.environment import read_environment
from local.errors import StackFileError, StackRefusedError
from local.plan import main
from local.previous_roster import local_checkpoint, read_previous
from local.program import run_program

TENANTS = [{"id": "acme", "tier": "basic"}, {"id": "globex", "tier": "premium"}, {"id": "hooli", "tier": "basic"}]


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    """The `tenants` output of a deploy of TENANTS."""
    config = {"aws:region": "us-east-1", "tenant-pipeline:tenants": TENANTS}
    return dict(run_program("dev", config).outputs["tenants"])


def project(tmp_path: Path, tenants: list[dict[str, Any]]) -> Path:
    document = {"config": {"aws:region": "us-east-1", "tenant-pipeline:tenants": tenants}}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(document))
    return tmp_path


NEXT: list[dict[str, Any]] = [
    {"id": "acme", "tier": "premium", "migration": {"from": "basic", "state": "copying"}},
    {"id": "globex", "tier": "premium", "status": "offboarded"},
    {"id": "hooli", "tier": "basic"},
    {"id": "initech", "tier": "basic"},
]


def plan(tmp_path: Path, previous: Path, *more: str) -> list[str]:
    return ["--stack", "dev", "--project-dir", str(project(tmp_path, NEXT)), "--previous", str(previous), *more]


def test_the_transitions_come_first(
    tmp_path: Path, deployed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    previous = tmp_path / "tenants.json"
    previous.write_text(json.dumps(deployed))  # `pulumi stack output tenants --json`
    assert main(plan(tmp_path, previous)) == 0
    out = capsys.readouterr().out
    assert out.index("What changes per tenant") < out.index("Tenants of stack 'dev'")
    transitions = out[: out.index("Tenants of stack 'dev'")]
    rows = {line.split("│")[1].strip(): line for line in transitions.splitlines() if line.startswith("│")}
    assert "move-start" in rows["acme"] and "tier move basic -> premium starts (copying)" in rows["acme"]
    assert "offboard" in rows["globex"] and "its data stays as it is" in rows["globex"]
    assert "unchanged" in rows["hooli"] and "onboard" in rows["initech"]
    assert "moving from basic (copying)" in out
    assert "tenant-pipeline-dev-tenant-acme + pooled shard 0 (moving)" in out


def test_json_has_the_transitions(tmp_path: Path, deployed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    previous = tmp_path / "tenants.json"
    # The published directory document reads the same.
    previous.write_text(
        json.dumps(directory_document(parse_document(json.dumps({"version": 1, "tenants": deployed})).values()))
    )
    assert main([*plan(tmp_path, previous), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["previous"] == str(previous)
    steps = {step["id"]: step for step in document["transitions"]}
    assert steps["acme"]["kind"] == "move-start"
    assert steps["acme"]["next"].startswith("make migrate TENANT=acme")
    assert steps["globex"]["deletes"] == ["its API key", "its silo role"]
    acme = next(t for t in document["tenants"] if t["id"] == "acme")
    assert acme["migration"] == {
        "from": "basic",
        "state": "copying",
        "sourceKeyspace": "tenants_pool",
        "fromCell": None,  # an environment without cells
        "verified": None,
    }


def test_a_refused_step_stops_the_plan_with_the_path(tmp_path: Path, deployed: dict[str, Any]) -> None:
    previous = tmp_path / "tenants.json"
    previous.write_text(json.dumps(deployed))
    project(tmp_path, [{"id": "acme", "tier": "premium"}, *TENANTS[1:]])
    with pytest.raises(StackRefusedError) as refused:
        main(["--stack", "dev", "--project-dir", str(tmp_path), "--previous", str(previous)])
    assert "set tenants[0].migration to {from: basic, state: copying}" in str(refused.value)


def test_a_stack_export_and_a_local_backend_checkpoint_are_read(tmp_path: Path, deployed: dict[str, Any]) -> None:
    stack = {
        "type": "pulumi:pulumi:Stack",
        "urn": "urn:pulumi:dev::tenant-pipeline::pulumi:pulumi:Stack::x",
        "outputs": {"tenants": deployed},
    }
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": [stack]}}))
    assert read_previous(export).tenants == deployed
    checkpoint = local_checkpoint("dev", {"PULUMI_BACKEND_URL": f"file://{tmp_path}"})
    assert checkpoint == tmp_path / ".pulumi" / "stacks" / "tenant-pipeline" / "dev.json"
    assert local_checkpoint("dev", {"PULUMI_BACKEND_URL": "https://api.pulumi.com"}) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not JSON"),
        ('{"version": 3, "deployment": {"resources": []}}', "the stack state has no `tenants` output"),
        ('{"version": 2, "tenants": {}}', "not a version 1 directory document"),
    ],
)
def test_a_bad_previous_file_is_named(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "previous.json"
    path.write_text(text)
    with pytest.raises(StackFileError, match=problem):
        read_previous(path)


def test_the_dev_stack_against_its_own_output_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    previous = tmp_path / "tenants.json"
    previous.write_text(json.dumps(read_environment("dev").declaration.outputs["tenants"]))
    assert main(["--stack", "dev", "--previous", str(previous), "--json", "-"]) == 0
    assert {step["kind"] for step in json.loads(capsys.readouterr().out)["transitions"]} == {"unchanged"}
