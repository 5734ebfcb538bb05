"""The real Pulumi CLI driven through the Automation API (`pulumi.automation`), on a file backend of its own.

What the CLI needs here (also when it is the one `make engine` built, found by local/engine/toolchain.py):
the CLI's folder (with the language host and its exec shim beside it) first on the PATH, a passphrase for the
stacks' secrets, no update check and no plugin downloads; the project's settings (Pulumi.yaml) written into a
work folder with the program elsewhere (`main`), the backend as `file://` (every stack of the work folder's
project in one state folder), and PULUMI_HOME there too. Stacks reference each other as
`organization/<project>/<stack>` on a file backend.

Nothing here is meant for a real account: the passphrase is a fixed local one (local/engine/cli.py).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from local.engine.cli import LOCAL_PASSPHRASE
from local.engine.toolchain import ToolchainError, locate

FILE_BACKEND_ORGANIZATION = "organization"  # the one organization of a file backend


# A file backend's checkpoint read while the engine rewrites it: gocloud's fileblob truncates and rewrites the
# `.json.attrs` sidecar of the checkpoint at every save (blob/fileblob/attrs.go setAttrs, not atomic), and a reader
# decoding it meanwhile gets EOF. A StackReference to a stack being updated (a cell's to itself, which the program
# reads at its start) can meet it; the update then fails before it has changed anything the next one would not.
TORN_CHECKPOINT = "failed to load checkpoint: EOF"
TORN_CHECKPOINT_RETRIES = 3


@dataclass(frozen=True)
class Timed:
    """An Automation API call's result, its wall time and its CPU time (the last attempt's)."""

    seconds: float
    # CPU of the processes it ran and waited for (the CLI, the language host, the program): exact when no other
    # call runs at once (children's CPU is counted for the whole process as each one is reaped).
    cpu_seconds: float
    changes: dict[str, int]  # operation -> resources (create, same, update, delete, ...)
    retries: int = 0  # attempts that met TORN_CHECKPOINT first


def children_cpu_seconds() -> float:
    """CPU time of this process's reaped child processes (and theirs), user + system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class FileBackend:
    """A project's stacks on a file backend under `root`: state/, home/ (PULUMI_HOME) and work/ (Pulumi.yaml and
    each stack's Pulumi.<stack>.yaml); the program is run from `program_dir`."""

    root: Path
    project: str
    program_dir: Path
    virtualenv: Path = Path(sys.prefix)  # the interpreter the program runs on: this one's, by default

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def stack_reference(self, stack: str) -> str:
        return f"{FILE_BACKEND_ORGANIZATION}/{self.project}/{stack}"

    def workspace(self) -> auto.LocalWorkspace:
        cli, path_entries = locate()
        if cli.parent.name != "bin":
            raise ToolchainError(f"the Automation API runs <root>/bin/pulumi; {cli} is not in a folder named bin")
        for folder in (self.state_dir, self.root / "home", self.root / "work"):
            folder.mkdir(parents=True, exist_ok=True)
        settings = auto.ProjectSettings(
            name=self.project,
            runtime=auto.ProjectRuntimeInfo(name="python", options={"virtualenv": str(self.virtualenv)}),
            main=str(self.program_dir.resolve()),
            backend=auto.ProjectBackend(url=self.state_dir.resolve().as_uri()),
        )
        return auto.LocalWorkspace(
            work_dir=str(self.root / "work"),
            pulumi_home=str(self.root / "home"),
            env_vars={
                "PATH": os.pathsep.join([str(cli.parent), *path_entries, os.environ.get("PATH", "")]),
                "PULUMI_CONFIG_PASSPHRASE": LOCAL_PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            },
            secrets_provider="passphrase",
            project_settings=settings,
            pulumi_command=auto.PulumiCommand(root=str(cli.parent.parent)),
        )

    def stack(self, workspace: auto.LocalWorkspace, name: str, config: Mapping[str, str]) -> auto.Stack:
        """Create or select stack `name` and set its config (plain values; `<namespace>:<key>`)."""
        stack = auto.Stack.create_or_select(name, workspace)
        stack.set_all_config({key: auto.ConfigValue(value) for key, value in config.items()})
        return stack


def up(stack: auto.Stack, parallel: int | None = None) -> Timed:
    """`pulumi up` (the Automation API's: --skip-preview), again when it met TORN_CHECKPOINT, at most
    TORN_CHECKPOINT_RETRIES times."""
    for attempt in range(TORN_CHECKPOINT_RETRIES + 1):
        started, cpu = time.perf_counter(), children_cpu_seconds()
        try:
            result = stack.up(parallel=parallel, suppress_progress=True, color="never")
        except auto.CommandError as error:
            if TORN_CHECKPOINT not in str(error) or attempt == TORN_CHECKPOINT_RETRIES:
                raise
            continue
        return Timed(
            time.perf_counter() - started,
            children_cpu_seconds() - cpu,
            _changes(result.summary.resource_changes),
            attempt,
        )
    raise AssertionError("unreachable: the last attempt returns or raises")


def preview(stack: auto.Stack) -> Timed:
    started, cpu = time.perf_counter(), children_cpu_seconds()
    result = stack.preview(suppress_progress=True, color="never")
    return Timed(time.perf_counter() - started, children_cpu_seconds() - cpu, _changes(result.change_summary))


def refresh(stack: auto.Stack) -> Timed:
    started, cpu = time.perf_counter(), children_cpu_seconds()
    result = stack.refresh(suppress_progress=True, color="never")
    return Timed(time.perf_counter() - started, children_cpu_seconds() - cpu, _changes(result.summary.resource_changes))


def _changes(operations: Mapping[Any, int] | None) -> dict[str, int]:
    """Operation -> resources; the SDK types the keys as OpType, but they arrive as the JSON's strings."""
    return {str(getattr(operation, "value", operation)): count for operation, count in (operations or {}).items()}
