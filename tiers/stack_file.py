"""A stack's settings file, `Pulumi.<stack>.yaml`, read as the Pulumi CLI reads it: its `config` mapping.

The program reads its environment's file itself when it runs as a cell (tiers/stacks.py): a cell's settings are
its environment's, which the user edits in one place; the cell's own file says only its region (and, for tests
or another layout, where the environment's file is: `tenant-pipeline:environmentFile`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tiers.errors import ConfigError, ConfigProblem

ENVIRONMENT_FILE_KEY = "environmentFile"  # tenant-pipeline:environmentFile, in a cell's own settings only


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def parse_stack_file(text: str, name: str) -> dict[str, Any]:
    """The `config` mapping of a stack file's text; ConfigError naming the file and the problem."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError([ConfigProblem(name, f"is not valid YAML: {error}")]) from error
    config = document.get("config", {}) if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([ConfigProblem(name, "'config' must be a mapping")])
    return config


def read_environment_file(path: Path) -> dict[str, Any]:
    """An environment's stack file, as its cells read it; ConfigError when it is missing or malformed."""
    if not path.is_file():
        raise ConfigError(
            [ConfigProblem(str(path), "is not there: a cell reads its environment's settings from that file")]
        )
    return parse_stack_file(path.read_text(), path.name)
