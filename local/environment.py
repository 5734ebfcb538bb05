"""An environment's stacks under Pulumi's mocks: its platform, then each of its cells, as `pulumi up` of each declares
them (tiers/cells.py). `make plan`, `tenant-pipeline plan`, the demo and the tests read an environment this way.

The cells read the platform's outputs from this run (the platform deploys first) and everything else a stack
reads (its own last outputs, other cells') from `deployed`: each stack's outputs as last deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from functions.contracts.cells import cell_stack
from local.errors import StackFileError, StackRefusedError
from local.paths import PROJECT_ROOT
from local.program import Declaration, ProgramStopped, run_program
from local.stack_file import project_values, read_stack_config, stack_file
from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.stack_config import StackConfig
from tiers.stack_file import ENVIRONMENT_FILE_KEY

TENANTS = "tenants"

StackKind = Literal["platform", "cell"]


@dataclass
class StackRun:
    stack: str
    kind: StackKind
    cell: str | None
    declaration: Declaration


@dataclass
class EnvironmentRun:
    """What every stack of an environment declares, the platform first."""

    name: str
    raw: dict[str, Any]  # the environment's settings file's config, fully qualified keys
    config: StackConfig  # validated as the platform validates it
    stacks: list[StackRun] = field(default_factory=list)

    @property
    def platform(self) -> StackRun:
        return self.stacks[0]

    def cells(self) -> list[StackRun]:
        return [run for run in self.stacks if run.kind == "cell"]

    def merged(self) -> Declaration:
        """One Declaration of every stack's resources, with the platform's outputs and every record in `tenants`:
        the environment as one deployment (what the demo brings up)."""
        resources = [resource for run in self.stacks for resource in run.declaration.resources]
        outputs = dict(self.platform.declaration.outputs)
        if self.cells():
            outputs[TENANTS] = {
                tenant_id: record
                for run in self.cells()
                for tenant_id, record in (run.declaration.outputs.get(TENANTS) or {}).items()
            }
        components = {urn: names for run in self.stacks for urn, names in run.declaration.component_outputs.items()}
        registered = {urn: values for run in self.stacks for urn, values in run.declaration.registered_outputs.items()}
        read = [resource for run in self.stacks for resource in run.declaration.read]
        return Declaration(
            resources=resources,
            outputs=outputs,
            component_outputs=components,
            registered_outputs=registered,
            read=read,
        )

    def outputs(self) -> dict[str, dict[str, Any]]:
        """Each stack's outputs, by stack name: what the next run reads as deployed."""
        return {run.stack: dict(run.declaration.outputs) for run in self.stacks}


def cell_settings(environment: str, raw: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """A cell stack's own settings: its region, and where its environment's settings file is."""
    return {
        "aws:region": raw.get("aws:region", "us-east-1"),
        f"tenant-pipeline:{ENVIRONMENT_FILE_KEY}": str(stack_file(environment, root).resolve()),
    }


def run_environment(
    name: str,
    root: Path = PROJECT_ROOT,
    deployed: Mapping[str, Mapping[str, Any]] | None = None,
    purpose: str = "planned",
) -> EnvironmentRun:
    """Validate environment `name` (its settings file under `root`) and run every stack's program under mocks.

    StackRefusedError says why it cannot be `purpose`: a missing or malformed file, bad config, a refused step.
    """
    deployed = dict(deployed or {})
    try:
        raw = read_stack_config(name, root)
        region = str(raw.get("aws:region", "")) or "us-east-1"
        config = load_stack_config(project_values(raw), name, region)
        platform = run_program(name, raw, stack_outputs=deployed)
        run = EnvironmentRun(name, raw, config, [StackRun(name, "platform", None, platform)])
        reads = {**deployed, name: platform.outputs}
        for cell in config.cell_loads:
            stack = cell_stack(name, cell)
            declaration = run_program(stack, cell_settings(name, raw, root), stack_outputs=reads)
            run.stacks.append(StackRun(stack, "cell", cell, declaration))
    except (StackFileError, ConfigError, ProgramStopped) as error:
        raise StackRefusedError(f"Environment '{name}' cannot be {purpose}: {error}") from error
    return run
