"""Athena's partition projection, as the local Athena applies it: which partitions a query reads.

An `injected` partition takes its values from the query itself: every condition on it must be a static
equality (`=` or `IN` with literals) and there must be one, or Athena refuses the query with
CONSTRAINT_VIOLATION. The other partitions (`date`, `integer`) project their ranges.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlglot
from sqlglot import exp

from local.analytics.catalog import EventsTable
from local.errors import QueryRefusedError


def parse(sql: str) -> exp.Expr:
    try:
        return sqlglot.parse_one(sql, read="trino")
    except sqlglot.errors.ParseError as error:
        raise QueryRefusedError("SYNTAX_ERROR", str(error).splitlines()[0]) from error


def check_tables(query: exp.Expr, table: EventsTable) -> None:
    for reference in query.find_all(exp.Table):
        if (reference.db, reference.name) != (table.database, table.name):
            raise QueryRefusedError("TABLE_NOT_FOUND", f"Table '{reference.sql()}' does not exist")


def injected_values(query: exp.Expr, column: str) -> list[str]:
    """The literal values the WHERE clause gives `column`; refused unless only static equalities do."""
    violation = QueryRefusedError(
        "CONSTRAINT_VIOLATION",
        f"For the injected projected partition column {column}, the WHERE clause must contain only static "
        "equality conditions, and at least one such condition must be present.",
    )
    values: list[str] = []
    for where in query.find_all(exp.Where):
        for reference in where.find_all(exp.Column):
            if reference.name != column:
                continue
            parent = reference.parent
            if isinstance(parent, exp.EQ):
                other = parent.right if parent.left is reference else parent.left
                if not isinstance(other, exp.Literal) or not other.is_string:
                    raise violation
                values.append(other.this)
            elif isinstance(parent, exp.In) and parent.this is reference:
                literals = parent.expressions
                if not literals or not all(isinstance(v, exp.Literal) and v.is_string for v in literals):
                    raise violation
                values += [v.this for v in literals]
            else:
                raise violation
    if not values:
        raise violation
    return sorted(set(values))


def listing_prefix(table: EventsTable, injected: dict[str, str]) -> tuple[str, str]:
    """(bucket, key prefix) to list for one set of injected values: the template up to its first projected
    placeholder that is not injected."""
    location = table.template
    for name, value in injected.items():
        location = location.replace("${" + name + "}", value)
    literal = location.split("${", 1)[0]
    bucket, _, prefix = literal.removeprefix("s3://").partition("/")
    return bucket, prefix


def partition_values(table: EventsTable, bucket: str, key: str) -> dict[str, str] | None:
    """The partition values of an object under the template, or None if its key does not fit it."""
    pattern = re.escape(table.template.removeprefix(f"s3://{bucket}/"))
    for name in table.partition_keys:
        pattern = pattern.replace(re.escape("${" + name + "}"), f"(?P<{name}>[^/]+)")
    match = re.match(pattern, key)
    return match.groupdict() if match else None


def in_projection(table: EventsTable, values: dict[str, str], now: datetime | None = None) -> bool:
    """Whether each non-injected partition value is one the table projects (its range, digits, format)."""
    now = now or datetime.now(UTC)
    for name, value in values.items():
        kind = table.parameters.get(f"projection.{name}.type")
        if kind == "integer":
            low, high = (int(v) for v in table.parameters[f"projection.{name}.range"].split(","))
            digits = int(table.parameters.get(f"projection.{name}.digits", "1"))
            if not value.isdigit() or not low <= int(value) <= high or value != str(int(value)).zfill(digits):
                return False
        elif kind == "date":
            if table.parameters[f"projection.{name}.format"] != "yyyy":
                raise QueryRefusedError("NOT_SUPPORTED", f"the local Athena projects yyyy dates only ({name})")
            start, end = table.parameters[f"projection.{name}.range"].split(",")
            last = now.year if end == "NOW" else int(end)
            if not (len(value) == 4 and value.isdigit() and int(start) <= int(value) <= last):
                return False
    return True
