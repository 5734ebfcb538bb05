"""The tenant directory: tenant -> tier, status, keyspace, role; the shape of the stack output `tenants`.

    {"acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme",
              "s3Prefix": "tenant=acme/", "roleArn": "arn:aws:iam::123456789012:role/..."}}

On AWS it is the slices the cells publish to S3 (`tenants/<cell>.json`), read through the shared cached reader
(`TenantDirectory.from_s3`, functions/directory: a published change is seen within the reader's max age).
Also loaded from a dict, a JSON file, or the environment (TENANT_DIRECTORY holds the JSON,
TENANT_DIRECTORY_FILE names a file). The directory, not the caller, decides where a tenant's data lives
and which tier it has: the context's tier is informational (a token's `custom:tier` may predate a tier change).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3

from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.directory import TenantRecord
from functions.contracts.errors import ContractError
from functions.dal.context import TenantContext
from functions.dal.errors import (
    InvalidTenantDirectoryError,
    TenantOffboardedError,
    UnknownTenantError,
)
from functions.directory.errors import DirectoryUnavailableError
from functions.directory.reader import DEFAULT_MAX_AGE, DirectoryReader

ENV_JSON = "TENANT_DIRECTORY"
ENV_FILE = "TENANT_DIRECTORY_FILE"


Records = Mapping[str, TenantRecord]


class TenantDirectory:
    def __init__(self, records: Records | Callable[[], Records]):
        """Fixed `records`, or a callable asked for them on every lookup (a DirectoryReader's: it caches them)."""
        if callable(records):
            self._source = records
        else:
            fixed = dict(records)
            self._source = lambda: fixed

    @property
    def _records(self) -> Records:
        try:
            return self._source()
        except DirectoryUnavailableError as error:  # fail closed: no tenant is served from an unknown directory
            raise InvalidTenantDirectoryError(str(error)) from error

    # ------------------------------------------------------------------------------------------ loading
    @staticmethod
    def from_mapping(raw: Any) -> TenantDirectory:
        if not isinstance(raw, Mapping):
            kind = type(raw).__name__
            raise InvalidTenantDirectoryError(f"the tenant directory must be an object of tenants, not {kind}")
        return TenantDirectory({tenant_id: _record(tenant_id, entry) for tenant_id, entry in raw.items()})

    @staticmethod
    def from_json(text: str, source: str = "JSON") -> TenantDirectory:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidTenantDirectoryError(f"the tenant directory in {source} is not JSON: {error}") from error
        return TenantDirectory.from_mapping(raw)

    @staticmethod
    def from_file(path: Path) -> TenantDirectory:
        try:
            text = path.read_text()
        except OSError as error:
            raise InvalidTenantDirectoryError(f"cannot read the tenant directory {path}: {error}") from error
        return TenantDirectory.from_json(text, source=str(path))

    @staticmethod
    def from_s3(
        bucket: str,
        prefix: str = DIRECTORY_PREFIX,
        *,
        region: str | None = None,
        s3: Any = None,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> TenantDirectory:
        """The published directory: every slice under `s3://bucket/prefix` (the stack output `directoryBucket`; the
        prefix is `tenants/`), refreshed at most every `max_age` seconds; `s3` is a boto3 S3 client (default: one
        for `region`)."""
        if s3 is None:
            s3 = boto3.client("s3", region_name=region)
        return TenantDirectory(DirectoryReader(s3, bucket, prefix, max_age=max_age, clock=clock).records)

    @staticmethod
    def from_env(environ: Mapping[str, str] = os.environ) -> TenantDirectory:
        if text := environ.get(ENV_JSON):
            return TenantDirectory.from_json(text, source=f"${ENV_JSON}")
        if path := environ.get(ENV_FILE):
            return TenantDirectory.from_file(Path(path))
        raise InvalidTenantDirectoryError(f"set {ENV_JSON} (the stack output `tenants` as JSON) or {ENV_FILE}")

    # ------------------------------------------------------------------------------------------ lookups
    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self._records

    def records(self) -> list[TenantRecord]:
        return list(self._records.values())

    def resolve(self, context: TenantContext) -> TenantRecord:
        """The served record for `context`: refused if unknown or offboarded. The record's tier is the tenant's
        whatever the context claims: during a tier change tokens and caches disagree, the directory decides."""
        record = self._records.get(context.tenant_id)
        if record is None:
            raise UnknownTenantError(context.tenant_id)
        if record.status != "active":
            raise TenantOffboardedError(context.tenant_id)
        return record


def _record(tenant_id: Any, entry: Any) -> TenantRecord:
    try:
        return TenantRecord.from_entry(tenant_id, entry)
    except ContractError as error:
        raise InvalidTenantDirectoryError(str(error)) from error
