"""Which stack of an environment a Pulumi stack is: the platform (named as the environment) or one of its cells
(`<environment>.<cell>`, functions/contracts/cells.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from functions.contracts.cells import CELL_NAME_RULE, STACK_SEPARATOR, cell_stack, is_cell_name
from tiers.errors import ConfigError, ConfigProblem

ENVIRONMENT_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,15}")
ENVIRONMENT_RULE = "1-16 characters of a-z, 0-9 and '-', starting with a letter"


@dataclass(frozen=True)
class StackScope:
    environment: str
    cell: str | None = None  # None: the platform stack (an environment's only stack when it has no cells)

    @property
    def platform(self) -> bool:
        return self.cell is None

    @property
    def stack(self) -> str:
        return self.environment if self.cell is None else cell_stack(self.environment, self.cell)


def stack_scope(stack: str) -> StackScope:
    """The scope of a Pulumi stack name; ConfigError when it is neither an environment nor one of its cells."""
    environment, separator, cell = stack.partition(STACK_SEPARATOR)
    problems = []
    if not ENVIRONMENT_PATTERN.fullmatch(environment):
        problems.append(f"environment '{environment}': name must be {ENVIRONMENT_RULE}")
    if separator and not is_cell_name(cell):
        problems.append(f"cell '{cell}': name must be {CELL_NAME_RULE}")
    if problems:
        raise ConfigError([ConfigProblem(f"stack '{stack}'", rule) for rule in problems])
    return StackScope(environment, cell if separator else None)
