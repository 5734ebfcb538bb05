"""The Automation API workspace of a project directory: which Pulumi CLI, which backend, and the few stack
operations the orchestrator needs, each one CLI run.

The CLI is the `pulumi` on the PATH, else the one `make engine` built (local/engine). The backend is `--backend URL`
(any URL `pulumi login` takes: file://, s3://, https://api.pulumi.com, ...), else PULUMI_BACKEND_URL, else whatever
`pulumi login` last said. Secrets: the stacks' own secrets provider; on a self-managed backend the default is a
passphrase, read by the CLI from PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) in the environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from local.engine.cli import PulumiCli
from orchestrator.errors import EngineError

BACKEND_URL = "PULUMI_BACKEND_URL"


@dataclass(frozen=True)
class EngineOptions:
    backend_url: str | None = None  # None: PULUMI_BACKEND_URL, else `pulumi login`'s
    pulumi_home: Path | None = None  # None: the CLI's default (~/.pulumi)
    env: Mapping[str, str] = field(default_factory=dict)  # more environment for every CLI run


def cli_error(error: Exception) -> str:
    """The CLI's own error lines from an Automation API CommandError (its text holds the run's stdout and stderr)."""
    text = str(error)
    stderr = text.split(" stderr:", 1)[-1]
    lines = [line.strip() for line in stderr.splitlines() if line.strip().startswith("error:")]
    if not lines:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()][-1:]
    return "; ".join(dict.fromkeys(line.removeprefix("error:").strip() for line in lines)) or text.strip()


def pulumi_command() -> auto.PulumiCommand:
    """The CLI the Automation API runs: <root>/bin/pulumi (the one on the PATH or the one `make engine` built)."""
    cli = Path(PulumiCli(Path.cwd()).executable()[0]).resolve()
    if cli.parent.name != "bin":
        raise EngineError(f"the Pulumi CLI {cli} is not in a bin/ folder, where the Automation API looks for it")
    return auto.PulumiCommand(root=str(cli.parent.parent))


class Workspace:
    """One project directory's stacks on one backend. Safe to use from several threads once the stacks are opened
    (each operation is a CLI run naming its stack with --stack)."""

    def __init__(self, project_dir: Path, options: EngineOptions | None = None):
        options = options or EngineOptions()
        env = {"PULUMI_SKIP_UPDATE_CHECK": "true", **options.env}
        if options.backend_url:
            env[BACKEND_URL] = options.backend_url
        if options.pulumi_home is not None:
            env["PULUMI_HOME"] = str(options.pulumi_home)
        self.project_dir = project_dir
        self.command = pulumi_command()
        self.workspace = auto.LocalWorkspace(work_dir=str(project_dir), env_vars=env, pulumi_command=self.command)

    @property
    def engine_version(self) -> str:
        return str(self.command.version)

    def backend(self) -> str:
        """The backend's URL; EngineError when the CLI is logged in nowhere."""
        try:
            return str(self.workspace.who_am_i().url)
        except auto.errors.CommandError as error:
            raise EngineError(
                f"no Pulumi backend: {cli_error(error)} (give --backend URL or `pulumi login`)"
            ) from error

    def existing(self) -> dict[str, int | None]:
        """The project's stacks on the backend, by name, with the resources each holds (None: never deployed)."""
        try:
            stacks = self.workspace.list_stacks()
        except auto.errors.CommandError as error:
            raise EngineError(f"cannot list the stacks: {cli_error(error)}") from error
        return {summary.name.rsplit("/", 1)[-1]: summary.resource_count for summary in stacks}

    def open(self, name: str, create: bool = False) -> auto.Stack:
        """The stack `name`, created first when `create` (`pulumi stack init`)."""
        try:
            return auto.Stack.create(name, self.workspace) if create else auto.Stack.select(name, self.workspace)
        except auto.errors.CommandError as error:
            doing = "create" if create else "select"
            raise EngineError(f"cannot {doing} stack {name}: {cli_error(error)}") from error

    def outputs(self, name: str) -> dict[str, Any]:
        """The stack's outputs as last deployed, secrets in plain text (one CLI run; {} before its first deploy)."""
        result = self._run("stack", "output", "--json", "--show-secrets", "--stack", name)
        outputs = json.loads(result.stdout or "{}")
        return dict(outputs) if isinstance(outputs, dict) else {}

    def last_update(self, stack: auto.Stack) -> auto.UpdateSummary | None:
        try:
            return stack.info(show_secrets=False)
        except auto.errors.CommandError as error:
            raise EngineError(f"cannot read stack {stack.name}'s history: {cli_error(error)}") from error

    def set_config(self, stack: auto.Stack, key: str, value: str) -> None:
        """`pulumi config set --path key value`, as plain text. One run per key: `config set-all` writes a new
        map's keys in another order than the single commands a user runs."""
        try:
            stack.set_config(key, auto.ConfigValue(value=value), path=True)
        except auto.errors.CommandError as error:
            raise EngineError(f"pulumi config set --path {key} on stack {stack.name}: {cli_error(error)}") from error

    def remove_config(self, stack: auto.Stack, key: str) -> None:
        """`pulumi config rm --path key`."""
        try:
            stack.remove_config(key, path=True)
        except auto.errors.CommandError as error:
            raise EngineError(f"pulumi config rm --path {key} on stack {stack.name}: {cli_error(error)}") from error

    def _run(self, *args: str) -> auto.CommandResult:
        try:
            return self.command.run(list(args), str(self.project_dir), dict(self.workspace.env_vars))
        except auto.errors.CommandError as error:
            raise EngineError(f"pulumi {' '.join(args[:2])}: {cli_error(error)}") from error
