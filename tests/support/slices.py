"""Directory slices as cells publish them (functions/contracts/cells.py): each record names the slice's cell,
or none in the platform slice; and a prefix of a test's own in a shared bucket."""

from __future__ import annotations

import json
import uuid
from typing import Any

from functions.contracts.cells import PLATFORM_SLICE, SLICE_SUFFIX
from functions.contracts.directory import TenantRecord, directory_document


def slice_entries(cell: str, entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`entries` as cell `cell` publishes them: each naming the cell (none in the platform slice)."""
    publisher = None if cell == PLATFORM_SLICE else cell
    return {tenant_id: {**entry, "cell": publisher} for tenant_id, entry in entries.items()}


def slice_json(cell: str, entries: dict[str, dict[str, Any]]) -> str:
    """The slice of `cell` holding `entries`, written the way the program writes a directory document."""
    records = (TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in slice_entries(cell, entries).items())
    return json.dumps(directory_document(records))


def own_prefix() -> str:
    """A prefix of the test's own in a bucket other tests share: `tests/<random>/tenants/`."""
    return f"tests/{uuid.uuid4().hex}/tenants/"


def put_slice(s3: Any, bucket: str, prefix: str, cell: str, entries: dict[str, dict[str, Any]]) -> str:
    """Publish the slice of `cell` under `prefix`; its key."""
    key = f"{prefix}{cell}{SLICE_SUFFIX}"
    s3.put_object(Bucket=bucket, Key=key, Body=slice_json(cell, entries).encode(), ContentType="application/json")
    return key
