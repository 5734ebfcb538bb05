"""The program's declarations replayed on the real engine (tests/support/engine_replay): where the AWS provider
cannot run, the engine still sees the program's URNs, parents, aliases and protection, resource for resource."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.engine.cli import PulumiCli
from local.paths import PROJECT_ROOT
from local.program import Declaration

REPLAY_PROGRAM = PROJECT_ROOT / "tests" / "support" / "engine_replay"
REPLAY_ENV = "TENANT_PIPELINE_REPLAY"


def shape(declaration: Declaration) -> list[dict[str, Any]]:
    """Each resource in registration order (parents first), as the replay program declares it."""
    index = {resource.urn: n for n, resource in enumerate(declaration.resources)}
    return [
        {
            "type": resource.type,
            "name": resource.name,
            "parent": index.get(resource.parent),
            "protect": resource.protect,
            "atRoot": any(alias.get("noParent") for alias in resource.aliases),
            "physical": resource.inputs.get("name"),  # to tell two same-named resources of different cells apart
        }
        for resource in declaration.resources
    ]


@dataclass
class Replay:
    """One replay project's CLI and the shapes it declares, per stack."""

    cli: PulumiCli
    shapes_file: Path

    def declare(self, shapes: dict[str, list[dict[str, Any]]]) -> None:
        self.shapes_file.write_text(json.dumps(shapes))

    def steps(self, stack: str) -> list[tuple[str, str]]:
        """(operation, URN) of each step `pulumi preview` plans for `stack`."""
        previewed = json.loads(self.cli.run("preview", "--stack", stack, "--json").stdout)
        return [(step["op"], step["urn"]) for step in previewed.get("steps", [])]

    def up(self, stack: str) -> None:
        self.cli.run("up", "--stack", stack, "--yes", "--skip-preview")

    def state(self, stack: str) -> list[dict[str, Any]]:
        exported = json.loads(self.cli.run("stack", "export", "--stack", stack).stdout)
        resources: list[dict[str, Any]] = exported["deployment"].get("resources") or []
        return resources

    def move(self, source: str, dest: str, urns: list[str]) -> None:
        self.cli.run("state", "move", "--source", source, "--dest", dest, "--yes", *urns)


def replay(tmp_path: Path) -> Replay:
    """A replay project under `tmp_path`: a copy of the program, a local backend, its own CLI home."""
    project = tmp_path / "replay"
    project.mkdir()
    for item in REPLAY_PROGRAM.iterdir():
        if item.is_file():
            (project / item.name).write_text(item.read_text())
    (project / "Pulumi.yaml").write_text(
        (REPLAY_PROGRAM / "Pulumi.yaml").read_text().replace("../../../.venv", str(PROJECT_ROOT / ".venv"))
    )
    cli = PulumiCli(project, state_dir=tmp_path / "state", home_dir=tmp_path / "home")
    return Replay(cli, tmp_path / "shapes.json")
