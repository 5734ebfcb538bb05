"""A record's shape read from its text without parsing it: nesting depth, repeated top-level keys.

Pure Python (the Python-UDF path and the sandbox's front door). The reference for the SQL path's
Java function, which applies the same depth rule to the bytes (RecordShape.java; a test runs both):
nesting counts as a parser's stack does: an opening bracket pushes, a closing one pops (a stray one
at the top is ignored), brackets inside strings do not count, and an unterminated string ends at its
opening quote.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def nests_deeper_than(text: str, limit: int) -> bool:
    """Do objects and arrays in `text` nest more than `limit` deep (unclosed ones included)?"""
    if text.count("{") + text.count("[") <= limit:  # the usual record: no need to look closer
        return False
    depth = 0
    for token in _STRUCTURE.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")  # NaN/Infinity: Python accepts them, JSON (and Flink's SQL) does not


def loads(text: str) -> Any:
    """json.loads refusing NaN and Infinity."""
    return json.loads(text, parse_constant=_reject_constant)


def loads_with_top_level_keys(text: str) -> tuple[Any, list[str]]:
    """json.loads, plus the top-level object's keys in order, repeats included ([] if not an object).
    The hook sees every object, innermost first, so the last pairs it is given are the top level's."""
    last: list[list[tuple[str, Any]]] = [[]]

    def keep_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        last[0] = pairs
        return dict(pairs)

    value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=keep_pairs)
    return value, [key for key, _ in last[0]] if isinstance(value, dict) else []
