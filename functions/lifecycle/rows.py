"""A scanned row as the migration job copies it: its values, and its cells grouped by write time. Pure.

The job writes each group with its own `USING TIMESTAMP` (the cells' source write time), so the copy of a
cell never wins over a newer write or delete of it (functions/contracts/migration.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.contracts.tables import TableSchema
from functions.dal.cql import writetime

# A row with no cell but its key (every other column null) has no write time to read: its key is copied with
# the oldest timestamp there is (raised to the floor below), so any write or delete of the row wins over it.
OLDEST_TIMESTAMP = 1
# Amazon Keyspaces takes a client timestamp only from 2 days in the past to 5 minutes in the future of its
# clock (developer guide, "Use client-side timestamps in queries"); a source cell can be years old. A copy is
# written at least at (now - 2 days + 1 hour): still older than any write racing the copy (those carry
# about now, and Keyspaces refuses anything older than 2 days), so they still win, and the copied values are
# the source's current ones whatever their timestamp.
TIMESTAMP_PAST_LIMIT = 2 * 24 * 3600 * 1_000_000
TIMESTAMP_MARGIN = 3600 * 1_000_000


def copy_timestamp(written: int, now: int) -> int:
    """The timestamp a cell written at `written` is copied with, at `now` (both microseconds)."""
    return max(written, now - TIMESTAMP_PAST_LIMIT + TIMESTAMP_MARGIN)


def own_row(stored: Mapping[str, Any], table: TableSchema) -> dict[str, Any]:
    """The row as the table defines it (no tenant_id): what is compared and copied."""
    return {column.name: stored.get(column.name) for column in table.columns}


def cell_write_time(value: Any) -> int | None:
    """A column's WRITETIME as scanned: an int, or (a non-frozen collection on Cassandra 5) one per element,
    of which the newest is taken; None where there is no cell."""
    if isinstance(value, (list, tuple)):
        times = [t for t in value if t is not None]
        return max(times) if times else None
    return None if value is None else int(value)


def cell_groups(stored: Mapping[str, Any], table: TableSchema) -> list[tuple[int, dict[str, Any]]]:
    """(write time, the key and the columns written at that time), oldest first; the key alone if no cell.
    `table` is as defined (no tenant_id): a pooled row's tenant_id is not copied as a cell."""
    keys = set(table.primary_key)
    groups: dict[int, dict[str, Any]] = {}
    for column in table.columns:
        if column.name in keys or stored.get(column.name) is None:
            continue
        written = cell_write_time(stored.get(writetime(column.name)))
        if written is None:
            continue
        groups.setdefault(written, {})[column.name] = stored[column.name]
    key = {name: stored[name] for name in table.primary_key}
    if not groups:
        return [(OLDEST_TIMESTAMP, key)]
    return [(written, {**key, **columns}) for written, columns in sorted(groups.items())]
