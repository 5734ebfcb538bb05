"""Config changes as the Pulumi CLI makes them: `pulumi config set --path` / `pulumi config rm --path` on the
environment's platform stack, which edit `Pulumi.<env>.yaml` in place (its comments and order kept).

Before anything is written, the edits are applied to the settings in memory, with the CLI's rules (below), and the
resulting environment is validated (tiers.load.load_stack_config): a refused change writes nothing. After writing,
the file is read back and must hold exactly what was validated.

The CLI's rules for a value set with --path (sdk/go/common/resource/config/object.go `coerce`): `true` and
`false` are stored as booleans, digits without a leading 0 as an integer, anything else as a string; a list index
one past the end appends; missing maps and lists on the way are created.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from local.stack_file import read_stack_config
from orchestrator.errors import ChangeRefusedError, EngineError
from orchestrator.stacks import Environment
from orchestrator.workspace import Workspace
from tiers.errors import ConfigError

# A path as the orchestrator writes them: `namespace:key`, then `.name` and `[index]` steps.
_KEY = re.compile(r"(?P<key>[A-Za-z0-9_.-]+:[A-Za-z0-9_-]+)(?P<rest>.*)")
_STEP = re.compile(r"\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|\[(?P<index>[0-9]+)\]")
INT64 = (-(2**63), 2**64 - 1)  # ParseInt, then ParseUint


@dataclass(frozen=True)
class ConfigEdit:
    path: str  # as `pulumi config set --path` takes it: `tenant-pipeline:tenants[6].tier`
    value: str | None  # None: `pulumi config rm --path`

    def __str__(self) -> str:
        if self.value is None:
            return f"pulumi config rm --path '{self.path}'"
        return f"pulumi config set --path '{self.path}' {self.value}"


def cli_value(text: str) -> Any:
    """The value `pulumi config set --path` stores for `text`."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"[+-]?[0-9]+", text) and not (len(text) > 1 and text[0] == "0"):
        number = int(text)
        if INT64[0] <= number <= INT64[1]:
            return number
    return text


def _steps(path: str) -> tuple[str, list[str | int]]:
    match = _KEY.fullmatch(path)
    if match is None:
        raise ValueError(f"not a config path: {path!r}")
    rest, steps = match["rest"], []
    while rest:
        step = _STEP.match(rest)
        if step is None:
            raise ValueError(f"not a config path: {path!r}")
        steps.append(step["name"] if step["name"] is not None else int(step["index"]))
        rest = rest[step.end() :]
    return match["key"], steps


def apply_edits(raw: Mapping[str, Any], edits: Sequence[ConfigEdit]) -> dict[str, Any]:
    """The settings `raw` (fully qualified keys) after `edits`, as the CLI would leave them."""
    config = copy.deepcopy(dict(raw))
    for edit in edits:
        key, steps = _steps(edit.path)
        if edit.value is None:
            _remove(config, key, steps, edit.path)
        else:
            _set(config, [key, *steps], cli_value(edit.value), edit.path)
    return config


def _set(container: Any, steps: Sequence[str | int], value: Any, path: str) -> None:
    step, rest = steps[0], steps[1:]
    child = _child(container, step, path)
    if not rest:
        _put(container, step, value, path)
        return
    if child is None:
        child = [] if isinstance(rest[0], int) else {}
        _put(container, step, child, path)
    _set(child, rest, value, path)


def _child(container: Any, step: str | int, path: str) -> Any:
    if isinstance(step, int):
        if not isinstance(container, list):
            raise ValueError(f"{path}: [{step}] into a {type(container).__name__}")
        return container[step] if step < len(container) else None
    if not isinstance(container, dict):
        raise ValueError(f"{path}: .{step} into a {type(container).__name__}")
    return container.get(step)


def _put(container: Any, step: str | int, value: Any, path: str) -> None:
    if isinstance(step, int):
        if step < len(container):
            container[step] = value
        elif step == len(container):
            container.append(value)
        else:
            raise ValueError(f"{path}: index {step} is past the end of a list of {len(container)}")
    else:
        container[step] = value


def _remove(config: dict[str, Any], key: str, steps: Sequence[str | int], path: str) -> None:
    if not steps:
        config.pop(key, None)
        return
    parent = config.get(key)
    for step in steps[:-1]:
        parent = _child(parent, step, path)
        if parent is None:
            return
    last = steps[-1]
    if isinstance(last, int) and isinstance(parent, list) and last < len(parent):
        del parent[last]
    elif isinstance(last, str) and isinstance(parent, dict):
        parent.pop(last, None)


def changed_environment(environment: Environment, edits: Sequence[ConfigEdit]) -> Environment:
    """The environment after `edits`, validated; ChangeRefusedError with every problem (nothing is written)."""
    try:
        return environment.changed(apply_edits(environment.raw, edits))
    except ConfigError as error:
        raise ChangeRefusedError(f"nothing written: the change would be refused: {error}") from error


def write_edits(workspace: Workspace, environment: Environment, edits: Sequence[ConfigEdit]) -> None:
    """Write `edits` to the environment's settings file through the CLI, on its platform stack; then check that
    the file holds the settings that were validated (`environment` after the edits)."""
    expected = apply_edits(environment.raw, edits)
    stack = workspace.open(environment.name)
    for edit in edits:
        if edit.value is None:
            workspace.remove_config(stack, edit.path)
        else:
            workspace.set_config(stack, edit.path, edit.value)
    written = read_stack_config(environment.name, environment.project_dir)
    if written != expected:
        differ = sorted(key for key in set(written) | set(expected) if written.get(key) != expected.get(key))
        raise EngineError(
            f"{environment.settings_file.name} after `pulumi config` differs from the settings validated, in "
            f"{', '.join(differ)}: check the file"
        )
