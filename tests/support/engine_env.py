"""An environment of the stand-in program (tests/support/engine_program) on the real engine: a project directory,
a file backend and a CLI home under the test's directory, and a Session of the orchestrator on them."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from local.engine.cli import LOCAL_PASSPHRASE
from orchestrator.migration_job import MigrationJob
from orchestrator.session import Session
from orchestrator.stacks import Environment, read_environment
from orchestrator.workspace import EngineOptions

STAND_IN = Path(__file__).parent / "engine_program" / "__main__.py"


def project_file(virtualenv: Path) -> dict[str, Any]:
    return {
        "name": "tenant-pipeline",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(virtualenv)}},
    }


@dataclass
class EngineEnvironment:
    name: str
    root: Path  # the test's directory: project/, state/, home/, standin.log
    session: Session

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def log(self) -> Path:
        return self.root / "standin.log"

    def environment(self) -> Environment:
        return read_environment(self.name, self.project)

    def settings(self) -> dict[str, Any]:
        return dict(yaml.safe_load((self.project / f"Pulumi.{self.name}.yaml").read_text())["config"])

    def write_settings(self, config: Mapping[str, Any]) -> None:
        """A hand edit of the settings file: its config, the rest (the stack's encryption salt) kept."""
        path = self.project / f"Pulumi.{self.name}.yaml"
        document = yaml.safe_load(path.read_text()) if path.is_file() else {}
        path.write_text(yaml.safe_dump({**document, "config": dict(config)}, sort_keys=False))

    def env(self) -> dict[str, str]:
        """What the CLI runs with: a file backend and a CLI home here, the local passphrase, no plugin downloads."""
        return {
            "PULUMI_BACKEND_URL": (self.root / "state").as_uri(),
            "PULUMI_HOME": str(self.root / "home"),
            "PULUMI_CONFIG_PASSPHRASE": LOCAL_PASSPHRASE,
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "STANDIN_LOG": str(self.log),
        }

    def set_env(self, **values: str) -> None:
        """More environment for the CLI's runs from now on (the stand-in's controls)."""
        engine = self.session.engine
        self.session.engine = replace(engine, env={**engine.env, **values})
        self.session._workspace = None

    def started(self) -> list[dict[str, Any]]:
        """The stand-in programs' runs, in the order they started."""
        if not self.log.is_file():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def updates(self, stack: str) -> int:
        """How many updates the stack's history holds."""
        return len(self.session.workspace().open(stack).history())


def engine_environment(
    root: Path, name: str, settings: Mapping[str, Any], *, parallel: int = 2, job: MigrationJob | None = None
) -> EngineEnvironment:
    project = root / "project"
    project.mkdir(parents=True)
    (root / "state").mkdir()
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(project_file(Path(sys.prefix))))
    shutil.copyfile(STAND_IN, project / "__main__.py")
    session = Session(
        project_dir=project,
        parallel=parallel,
        job=job or MigrationJob(work_dir=root / "lifecycle"),
        out=Console(width=200),
        err=Console(stderr=True, width=200),
    )
    environment = EngineEnvironment(name, root, session)
    environment.write_settings(settings)
    session.engine = EngineOptions(
        backend_url=(root / "state").as_uri(), pulumi_home=root / "home", env=environment.env()
    )
    return environment
