"""What every subcommand of `tenant-pipeline` works with: the project, the engine, the consoles, the bounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from orchestrator.deploy import DEFAULT_PARALLEL, Deployer
from orchestrator.migration_job import MigrationJob
from orchestrator.stacks import Environment
from orchestrator.workspace import EngineOptions, Workspace


@dataclass
class Session:
    project_dir: Path
    engine: EngineOptions = field(default_factory=EngineOptions)
    parallel: int = DEFAULT_PARALLEL
    force: bool = False  # `up --force`: run every cell, deployed as it is or not
    job: MigrationJob = field(default_factory=MigrationJob)
    out: Console = field(default_factory=Console)  # results: tables and the JSON document
    err: Console = field(default_factory=lambda: Console(stderr=True))  # progress and steps
    _workspace: Workspace | None = None

    def workspace(self) -> Workspace:
        """The engine's workspace, made on first use (it runs the CLI: `plan` without a backend never needs it)."""
        if self._workspace is None:
            self._workspace = Workspace(self.project_dir, self.engine)
        return self._workspace

    def deployer(self, environment: Environment) -> Deployer:
        return Deployer(environment, self.workspace(), parallel=self.parallel, force=self.force, console=self.err)

    def say(self, text: str) -> None:
        self.err.print(text, highlight=False)
