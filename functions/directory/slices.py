"""The directory's slices: which objects under the prefix are slices, what one holds, and how they combine.

Each tenant cell publishes its tenants' records as one directory document, its slice `<prefix><cell>.json`; an
environment without cells publishes its whole directory as the slice `<prefix>platform.json`
(functions/contracts/cells.py). Running code reads every slice under the prefix and serves their records as one
directory (`merge`). Other objects under the prefix are not slices and are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.contracts.cells import DIRECTORY_PREFIX, PLATFORM_SLICE, cell_of_slice_key
from functions.contracts.directory import TenantRecord, parse_document
from functions.contracts.errors import ContractError

MAX_KEY_BYTES = 1024  # S3 object keys (and so key prefixes): 1-1024 bytes of UTF-8
PREFIX_RULE = "a key prefix that ends with '/' (the default: tenants/), at most 1024 bytes"
SHOWN_STRAYS = 5  # the records a refused slice's message names


def prefix_problem(prefix: object) -> str | None:
    """Why `prefix` cannot hold slices (None: it can). It ends with '/' so that every key under it reads as
    `<prefix><cell>.json` and no other folder's keys start with it (`tenants` would also list `tenants-old/`)."""
    if not isinstance(prefix, str) or not prefix.endswith("/"):
        return f"{prefix!r} is not {PREFIX_RULE}"
    if len(prefix.encode()) > MAX_KEY_BYTES:
        return f"is longer than {MAX_KEY_BYTES} bytes"
    return None


def slice_cell(key: str, prefix: str) -> str | None:
    """The cell (or PLATFORM_SLICE) whose slice `key` is under `prefix`: the contract's rule read relative to the
    prefix, so a reader of another prefix (a test's, say) names slices as the default prefix does. None: not a slice."""
    if not key.startswith(prefix):
        return None
    return cell_of_slice_key(DIRECTORY_PREFIX + key[len(prefix) :])


@dataclass(frozen=True)
class ListedSlice:
    """A slice as ListObjectsV2 names it: enough to tell whether the copy held is still current."""

    key: str
    cell: str
    etag: str


def listed_slices(contents: Iterable[Mapping[str, Any]], prefix: str) -> tuple[list[ListedSlice], int]:
    """The slices among one listing's objects (ListObjectsV2 `Contents`), and how many other objects it holds."""
    slices: list[ListedSlice] = []
    others = 0
    for entry in contents:
        key = str(entry["Key"])
        cell = slice_cell(key, prefix)
        if cell is None:
            others += 1
        else:
            slices.append(ListedSlice(key, cell, str(entry["ETag"])))
    return slices, others


@dataclass(frozen=True)
class Slice:
    """One slice as downloaded: its records, or why it is not a valid slice. Kept by its ETag either way, so a
    slice is downloaded again only when it changes (a bad one included: not on every request)."""

    key: str
    cell: str
    etag: str
    last_modified: datetime
    records: Mapping[str, TenantRecord] | None  # None: `problem` says why the slice is refused
    problem: str | None = None


def read_slice(key: str, cell: str, body: bytes, *, etag: str, last_modified: datetime, source: str) -> Slice:
    """The slice of `cell` in `body`: a valid directory document whose every record names the cell that publishes
    it (a record of the platform slice names none). Anything else refuses the whole slice, with the reason."""
    try:
        records = parse_document(body, source=source)
    except ContractError as error:
        return Slice(key, cell, etag, last_modified, None, f"is not a valid tenant directory: {error}")
    publisher = None if cell == PLATFORM_SLICE else cell
    strays = sorted(tenant_id for tenant_id, record in records.items() if record.cell != publisher)
    if strays:
        named = ", ".join(f"{tenant_id!r} names {records[tenant_id].cell!r}" for tenant_id in strays[:SHOWN_STRAYS])
        more = f" and {len(strays) - SHOWN_STRAYS} more" if len(strays) > SHOWN_STRAYS else ""
        rule = "no cell (the platform slice)" if publisher is None else f"its cell {cell!r}"
        problem = f"is not a valid slice: every record must name {rule}, but {named}{more}"
        return Slice(key, cell, etag, last_modified, None, problem)
    return Slice(key, cell, etag, last_modified, records)


def merge(slices: Iterable[Slice]) -> dict[str, TenantRecord]:
    """Every tenant's record from valid slices. A tenant in two slices takes the record of the slice with the newer
    LastModified; between two slices written at the same time (S3 keeps whole seconds), the one whose key sorts
    last, so every reader (the authorizer's instances, each DAL) picks the same record.

    Why the newer slice: a tenant appears in two slices only while it moves between cells. The new cell publishes
    its slice with the tenant after the roster moved it; the old cell drops the tenant from its slice the next time
    it publishes, and every publish after the roster changed is without it. So the old cell's slice can still hold
    the tenant only if it was last written before the roster changed, and then it is the older of the two: its
    record is the stale one. (A moved tenant's record names its new cell, so no later slice of the old cell can hold
    it: should the old cell publish first, the tenant is in no slice until the new one publishes, and is refused
    meanwhile rather than served from a stale record.)
    """
    merged: dict[str, TenantRecord] = {}
    for part in sorted(slices, key=lambda part: (part.last_modified, part.key)):
        if part.records is not None:
            merged.update(part.records)
    return merged
