"""Tenant cells: the stacks that hold an environment's per-tenant resources, and the directory slice each publishes.

An environment is a platform stack (named as the environment, e.g. `dev`) and tenant cells. A cell is named
`<tier>-<n>`: the tier it was opened for and its number among that tier's cells, from 1 (the tier is everything
before the last `-`, so tier names that end in digits stay unambiguous). Its stack is `<environment>.<cell>`
(`dev.basic-1`), and it publishes its tenants' directory records as one directory document, its slice:
`tenants/<cell>.json` in the directory bucket. An environment without cells (one stack for everything) publishes
its whole directory as the one slice `tenants/platform.json`, whose records name no cell. Running code reads
every slice under `tenants/`.
"""

from __future__ import annotations

import re

from functions.contracts.tiers import TIER_NAME_PATTERN

CELL_NAME_PATTERN = re.compile(rf"(?P<tier>{TIER_NAME_PATTERN.pattern})-(?P<number>[1-9][0-9]{{0,3}})")
CELL_NAME_RULE = "<tier>-<n>: a tier name, '-', and the cell's number among its tier's cells (1-9999)"
# Where the cells' slices live in the directory bucket, and how each is named.
DIRECTORY_PREFIX = "tenants/"
SLICE_SUFFIX = ".json"
# The slice of an environment without cells: its whole directory, published by its one stack.
PLATFORM_SLICE = "platform"
# Between an environment's name and a cell's in the cell's stack name.
STACK_SEPARATOR = "."


def is_cell_name(value: object) -> bool:
    return isinstance(value, str) and CELL_NAME_PATTERN.fullmatch(value) is not None


def cell_tier(cell: str) -> str:
    """The tier a cell was opened for: everything before its last '-'."""
    return cell.rsplit("-", 1)[0]


def cell_number(cell: str) -> int:
    return int(cell.rsplit("-", 1)[1])


def slice_key(cell: str) -> str:
    """The object a cell (or, as PLATFORM_SLICE, an environment without cells) publishes its records in."""
    return f"{DIRECTORY_PREFIX}{cell}{SLICE_SUFFIX}"


def cell_of_slice_key(key: str) -> str | None:
    """The cell whose slice `key` is (PLATFORM_SLICE for an environment without cells); None for any other
    object under the prefix. A record in a cell's slice names that cell; one in the platform slice, none."""
    if not (key.startswith(DIRECTORY_PREFIX) and key.endswith(SLICE_SUFFIX)):
        return None
    cell = key[len(DIRECTORY_PREFIX) : -len(SLICE_SUFFIX)]
    return cell if cell == PLATFORM_SLICE or is_cell_name(cell) else None


def cell_stack(environment: str, cell: str) -> str:
    return f"{environment}{STACK_SEPARATOR}{cell}"
