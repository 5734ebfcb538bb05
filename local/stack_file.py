"""Reading a stack's settings file, `Pulumi.<stack>.yaml`, as the Pulumi CLI would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from functions.contracts.cells import STACK_SEPARATOR
from local.errors import StackFileError
from local.paths import PROJECT_ROOT
from tiers.errors import ConfigError
from tiers.model import TenantSpec
from tiers.stack_file import parse_stack_file, stack_file_name

TENANTS_KEY = "tenant-pipeline:tenants"  # the roster, as `pulumi config set --path` names it


def config_path(spec: TenantSpec) -> str:
    """The tenant's entry for `pulumi config set --path`: `tenant-pipeline:tenants[<index>]`."""
    return f"{TENANTS_KEY}[{spec.index}]"


def stack_file(stack: str, root: Path = PROJECT_ROOT) -> Path:
    return root / stack_file_name(stack)


def read_stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    path = stack_file(stack, root)
    if not path.is_file():
        stacks = (p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        known = sorted(name for name in stacks if STACK_SEPARATOR not in name)  # environments, not their cells
        raise StackFileError(f"no stack file {path.name} (stacks here: {', '.join(known) or 'none'})")
    try:
        return parse_stack_file(path.read_text(), path.name)
    except ConfigError as error:
        raise StackFileError("; ".join(f"{problem.subject} {problem.rule}" for problem in error.problems)) from error


def project_values(config: dict[str, Any], project: str = "tenant-pipeline") -> dict[str, Any]:
    """The project's own settings (`tenant-pipeline:tenants` -> `tenants`)."""
    prefix = f"{project}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
