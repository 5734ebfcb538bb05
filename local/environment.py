"""An environment's stacks under Pulumi's mocks: its platform, then each of its cells, as `pulumi up` of each declares
them (tiers/cells.py). `make plan`, `tenant-pipeline plan`, the demo, the soak and the tests read an environment this
way; an environment without cells is its platform stack alone.

The cells read the platform's outputs from this run (the platform deploys first) and everything else a stack
reads (its own last outputs, other cells') from what was deployed last.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from functions.contracts.cells import cell_stack
from functions.contracts.directory import CELL_KEY
from local.errors import StackFileError, StackRefusedError
from local.paths import PROJECT_ROOT
from local.previous_roster import PreviousRoster
from local.program import Declaration, ProgramStopped, run_program
from local.stack_file import project_values, read_stack_config, stack_file
from tiers.cell_scope import merged_records, record_sources
from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.stack_config import StackConfig
from tiers.stack_file import ENVIRONMENT_FILE_KEY
from tiers.stacks import StackScope
from tiers.transitions import Transition, deployed_roster

TENANTS = "tenants"  # a stack's output of the records it declares
ADOPTED = "adoptedTenants"  # the platform's, with cells: the records from before cells

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

    @property
    def declaration(self) -> Declaration:
        """Every stack's resources as one deployment (merged): what `make plan` counts and the demo brings up."""
        return self.merged()

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
    path = stack_file(environment, root).resolve()
    return {"aws:region": raw.get("aws:region", "us-east-1"), f"tenant-pipeline:{ENVIRONMENT_FILE_KEY}": str(path)}


def deployed_outputs(config: StackConfig, previous: PreviousRoster | None) -> dict[str, dict[str, Any]]:
    """Each stack's last outputs, from a deployed roster (a `tenants` map, as `--previous` reads it): without cells
    the platform's `tenants`; with cells each record in its cell's `tenants`, a record naming no cell (from before
    cells) in the platform's `adoptedTenants`."""
    if previous is None:
        return {}
    name = config.environment
    if config.cells is None:
        return {name: {TENANTS: dict(previous.tenants)}}
    outputs: dict[str, dict[str, Any]] = {name: {ADOPTED: {}}}
    for tenant_id, entry in previous.tenants.items():
        cell = entry.get(CELL_KEY) if isinstance(entry, Mapping) else None
        if cell is None:
            outputs[name][ADOPTED][tenant_id] = entry
        else:
            outputs.setdefault(cell_stack(name, cell), {TENANTS: {}})[TENANTS][tenant_id] = entry
    return outputs


def cell_config(run: EnvironmentRun, cell: str, region: str, deployed: Mapping[str, Mapping[str, Any]]) -> StackConfig:
    """A cell's config as its program loads it: its tenants' steps from the records it reads (tiers/cell_scope.py)."""
    scope = StackScope(run.name, cell)
    sources = [(stack, (deployed.get(stack) or {}).get(TENANTS)) for stack in record_sources(run.config.tenants, scope)]
    adopted = (deployed.get(run.name) or {}).get(ADOPTED)
    records = merged_records(adopted, sources)
    return load_stack_config(project_values(run.raw), run.name, region, previous=records, scope=scope)


def read_environment(
    name: str, root: Path = PROJECT_ROOT, purpose: str = "planned", previous: PreviousRoster | None = None
) -> EnvironmentRun:
    """run_environment from the roster deployed last (`previous`, as `--previous` reads it; None: a first deploy),
    each record handed to the stack that holds it (deployed_outputs)."""
    try:
        raw = read_stack_config(name, root)
        shape = load_stack_config(project_values(raw), name, str(raw.get("aws:region", "")) or "us-east-1")
    except (StackFileError, ConfigError) as error:
        raise StackRefusedError(f"Stack '{name}' cannot be {purpose}: {error}") from error
    return run_environment(name, root, deployed_outputs(shape, previous), purpose)


def run_environment(
    name: str,
    root: Path = PROJECT_ROOT,
    deployed: Mapping[str, Mapping[str, Any]] | None = None,
    purpose: str = "planned",
) -> EnvironmentRun:
    """Read, validate and run every stack of environment `name` (its settings file under `root`) under mocks;
    StackRefusedError says why it cannot be `purpose` (a missing or malformed file, bad config, a refused step).

    `deployed`: each stack's last outputs, by stack name (none: a first deploy). The run's `config` carries every
    tenant's step (`transitions`): the platform's without cells, each cell's for its own tenants with cells.
    """
    deployed = {stack: dict(outputs) for stack, outputs in (deployed or {}).items()}
    first = not any(deployed.values())
    try:
        raw = read_stack_config(name, root)
        region = str(raw.get("aws:region", "")) or "us-east-1"
        previous = (deployed.get(name) or {}).get(TENANTS)
        records = None if previous is None else deployed_roster(previous, f"stack {name}'s last `tenants` output")
        # The config's own messages first (every problem at once), then the programs' runs.
        config = load_stack_config(project_values(raw), name, region)
        if config.cells is None and records is not None:
            config = load_stack_config(project_values(raw), name, region, previous=records)
        platform = run_program(name, raw, stack_outputs=deployed)
        run = EnvironmentRun(name, raw, config, [StackRun(name, "platform", None, platform)])
        reads = {**deployed, name: {**deployed.get(name, {}), **platform.outputs}}
        steps: dict[str, Transition] = {}
        for cell in config.cell_loads:
            stack = cell_stack(name, cell)
            if not first:
                cell_steps = cell_config(run, cell, region, deployed).transitions or ()
                steps |= {
                    step.tenant_id: step
                    for step in cell_steps
                    if step.tenant_id not in steps or _is_home(run.config, step.tenant_id, cell)
                }
            declaration = run_program(stack, cell_settings(name, raw, root), stack_outputs=reads)
            run.stacks.append(StackRun(stack, "cell", cell, declaration))
        if config.cells is not None and not first:
            order = {tenant.id: tenant.index for tenant in config.tenants}
            run.config = replace(
                config, transitions=tuple(sorted(steps.values(), key=lambda s: order.get(s.tenant_id, len(order))))
            )
    except (StackFileError, ConfigError, ProgramStopped) as error:
        raise StackRefusedError(f"Stack '{name}' cannot be {purpose}: {error}") from error
    return run


def _is_home(config: StackConfig, tenant_id: str, cell: str) -> bool:
    """A moving tenant's step is checked by both its cells; the plan shows its own cell's."""
    return any(tenant.id == tenant_id and tenant.cell == cell for tenant in config.tenants)


def read_environment_settings(
    name: str, raw: Mapping[str, Any], workdir: Path, previous: PreviousRoster | None, purpose: str
) -> EnvironmentRun:
    """read_environment of settings held in memory (an edited roster): written to `workdir` first, as the file
    every stack of the environment reads."""
    workdir.mkdir(parents=True, exist_ok=True)
    stack_file(name, workdir).write_text(yaml.safe_dump({"config": dict(raw)}, sort_keys=False))
    return read_environment(name, workdir, purpose, previous)


def run_settings(
    name: str, raw: Mapping[str, Any], previous: PreviousRoster | None = None, purpose: str = "planned"
) -> EnvironmentRun:
    """read_environment_settings in a directory of its own that is gone afterwards (the cells read the file only
    while they run)."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-settings-") as workdir:
        return read_environment_settings(name, raw, Path(workdir), previous, purpose)
