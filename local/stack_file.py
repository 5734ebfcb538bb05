"""Reading a stack's settings file, `Pulumi.<stack>.yaml`, as the Pulumi CLI would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from local.errors import StackFileError
from local.paths import PROJECT_ROOT

TENANTS_KEY = "tenant-pipeline:tenants"  # the roster, as `pulumi config set --path` names it


def stack_file(stack: str, root: Path = PROJECT_ROOT) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def read_stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    path = stack_file(stack, root)
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {path.name} (stacks here: {', '.join(known) or 'none'})")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path.name} is not valid YAML: {error}") from error
    config = document.get("config", {}) if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping")
    return config


def project_values(config: dict[str, Any], project: str = "tenant-pipeline") -> dict[str, Any]:
    """The project's own settings (`tenant-pipeline:tenants` -> `tenants`)."""
    prefix = f"{project}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
