"""An environment's stacks, as its settings file `Pulumi.<env>.yaml` names them: the platform (named as the
environment) and a stack per cell its roster names (`<env>.<cell>`: tiers/cells.py `cell_loads`), platform first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.contracts.cells import cell_stack
from local.environment import StackKind
from local.errors import StackFileError, StackRefusedError
from local.stack_file import project_values, read_stack_config, stack_file
from orchestrator.errors import OrchestratorError
from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.model import TenantSpec
from tiers.stack_config import StackConfig
from tiers.stacks import stack_scope

REGION_KEY = "aws:region"


@dataclass(frozen=True)
class StackSpec:
    name: str
    kind: StackKind
    cell: str | None = None  # None: the platform


@dataclass(frozen=True)
class Environment:
    """An environment as its settings file says it is now, validated as its platform validates it."""

    name: str
    project_dir: Path
    raw: dict[str, Any]  # the settings file's `config`, fully qualified keys (`tenant-pipeline:tenants`)
    config: StackConfig

    @property
    def region(self) -> str:
        return self.config.region

    @property
    def settings_file(self) -> Path:
        return stack_file(self.name, self.project_dir)

    @property
    def platform(self) -> StackSpec:
        return StackSpec(self.name, "platform")

    def cell(self, cell: str) -> StackSpec:
        return StackSpec(cell_stack(self.name, cell), "cell", cell)

    def cells(self) -> list[StackSpec]:
        return [self.cell(cell) for cell in self.config.cell_loads]

    def stacks(self) -> list[StackSpec]:
        return [self.platform, *self.cells()]

    def tenant(self, tenant_id: str) -> TenantSpec | None:
        return next((tenant for tenant in self.config.tenants if tenant.id == tenant_id), None)

    def declaring(self, tenant: TenantSpec) -> list[StackSpec]:
        """The stacks that declare the tenant's resources, the one holding its record first: its cell, then the cell
        its migration leaves (without cells, the platform: the environment's one stack)."""
        if self.config.cells is None:
            return [self.platform]
        source = None if tenant.migration is None else tenant.migration.from_cell
        return [self.cell(cell) for cell in dict.fromkeys((tenant.cell, source)) if cell is not None]

    def changed(self, raw: Mapping[str, Any]) -> Environment:
        """This environment with other settings; ConfigError with every problem when they are refused."""
        return Environment(self.name, self.project_dir, dict(raw), environment_config(self.name, raw))


def retired_cells(environment: Environment, existing: Iterable[str]) -> list[StackSpec]:
    """The environment's cell stacks on the backend that its roster no longer names: their tenants' entries were
    removed, and a deploy removes what the cell still declares of them (the stack itself stays until
    `pulumi destroy` and `pulumi stack rm`)."""
    named = {spec.name for spec in environment.cells()}
    retired = []
    for name in sorted(existing):
        try:
            scope = stack_scope(name)
        except ConfigError:
            continue  # another project's naming: not a stack of this environment
        if scope.environment == environment.name and scope.cell is not None and name not in named:
            retired.append(environment.cell(scope.cell))
    return retired


def environment_config(name: str, raw: Mapping[str, Any]) -> StackConfig:
    """The environment's settings validated as its platform stack validates them (ConfigError: every problem)."""
    return load_stack_config(project_values(dict(raw)), name, str(raw.get(REGION_KEY, "")))


def read_environment(name: str, project_dir: Path, purpose: str = "deployed") -> Environment:
    """Environment `name` from its settings file in `project_dir`; StackRefusedError says why it cannot be `purpose`."""
    try:
        scope = stack_scope(name)
    except ConfigError as error:
        raise StackRefusedError(f"Environment '{name}' cannot be {purpose}: {error}") from error
    if scope.cell is not None:
        raise OrchestratorError(
            f"'{name}' is the stack of cell {scope.cell}: give its environment, --env {scope.environment}"
        )
    try:
        raw = read_stack_config(name, project_dir)
        if not raw.get(REGION_KEY):
            raise StackFileError(f"{stack_file(name, project_dir).name} sets no {REGION_KEY}")
        return Environment(name, project_dir, raw, environment_config(name, raw))
    except (StackFileError, ConfigError) as error:
        raise StackRefusedError(f"Environment '{name}' cannot be {purpose}: {error}") from error
