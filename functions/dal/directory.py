"""The tenant directory: tenant -> tier, status, keyspace, role; the shape of the stack output `tenants`.

    {"acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme",
              "s3Prefix": "tenant=acme/", "roleArn": "arn:aws:iam::123456789012:role/..."}}

Loaded from a dict, a JSON file, or the environment (TENANT_DIRECTORY holds the JSON,
TENANT_DIRECTORY_FILE names a file). The directory, not the caller, decides where a tenant's data lives.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from functions.contracts.directory import TenantRecord
from functions.contracts.errors import ContractError
from functions.dal.context import TenantContext
from functions.dal.errors import (
    InvalidTenantDirectoryError,
    TenantOffboardedError,
    TierMismatchError,
    UnknownTenantError,
)

ENV_JSON = "TENANT_DIRECTORY"
ENV_FILE = "TENANT_DIRECTORY_FILE"


class TenantDirectory:
    def __init__(self, records: Mapping[str, TenantRecord]):
        self._records = dict(records)

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
        """The served record for `context`: refused if unknown, offboarded, or its tier is not the claimed one."""
        record = self._records.get(context.tenant_id)
        if record is None:
            raise UnknownTenantError(context.tenant_id)
        if record.status != "active":
            raise TenantOffboardedError(context.tenant_id)
        if record.tier != context.tier:
            raise TierMismatchError(context.tenant_id, context.tier, record.tier)
        return record


def _record(tenant_id: Any, entry: Any) -> TenantRecord:
    try:
        return TenantRecord.from_entry(tenant_id, entry)
    except ContractError as error:
        raise InvalidTenantDirectoryError(str(error)) from error
