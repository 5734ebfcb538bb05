"""Order-independent row checksums and the `verified` digest of a copy. Pure.

A row's hash is over its canonical form (its columns by name, values tagged by type), so a pooled row
(tenant_id taken off) and the same row in a silo hash the same. A table's checksum is the sum of its rows'
hashes modulo 2**64: independent of scan order, and two tables with the same rows have the same checksum.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from functions.contracts.migration import VERIFIED_DIGEST

MASK = (1 << 64) - 1


def canonical(value: Any) -> Any:
    """A JSON-able form of a CQL value, tagged by type so that e.g. the text '1' and the int 1 differ."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, datetime):
        return {"timestamp": value.isoformat()}
    if isinstance(value, (date, time)):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"blob": bytes(value).hex()}
    if isinstance(value, Mapping):
        return {"map": sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=json.dumps)}
    if isinstance(value, (set, frozenset)):
        return {"set": sorted((canonical(v) for v in value), key=json.dumps)}
    if isinstance(value, (list, tuple)):
        return {"list": [canonical(v) for v in value]}
    # The driver's sortedset and OrderedMapSerializedKey are handled above (set / Mapping); anything else is
    # a type the tenant tables do not use: name it rather than hash its repr.
    raise TypeError(f"no canonical form for a {type(value).__name__} value")


def row_key(row: Mapping[str, Any], key_columns: tuple[str, ...]) -> str:
    """The row's primary key as one string (what the verification matches source and target rows by)."""
    return json.dumps([canonical(row[name]) for name in key_columns], separators=(",", ":"))


def row_hash(row: Mapping[str, Any]) -> int:
    """A 64-bit hash of the row's columns and values; a null column counts as absent (Cassandra has no cell)."""
    present = {name: canonical(value) for name, value in row.items() if value is not None}
    encoded = json.dumps(present, sort_keys=True, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big")


@dataclass(frozen=True)
class TableSummary:
    """What verification compares per table: its rows and their order-independent checksum."""

    rows: int
    checksum: int

    @staticmethod
    def of(hashes: Mapping[str, int]) -> TableSummary:
        return TableSummary(len(hashes), sum(hashes.values()) & MASK)


def verified_digest(tenant_id: str, summaries: Mapping[str, TableSummary]) -> str:
    """The 16-hex digest `make migrate` prints after a verified copy: over the tenant and every table's
    rows and checksum, in table-name order."""
    lines = [tenant_id, *(f"{name}:{s.rows}:{s.checksum:016x}" for name, s in sorted(summaries.items()))]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    assert VERIFIED_DIGEST.fullmatch(digest)
    return digest
