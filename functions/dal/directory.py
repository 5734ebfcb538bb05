"""The tenant directory: tenant -> tier, status, keyspace, role; the shape of the stack output `tenants`.

    {"acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme",
              "s3Prefix": "tenant=acme/", "roleArn": "arn:aws:iam::123456789012:role/..."}}

Loaded from a dict, a JSON file, or the environment (TENANT_DIRECTORY holds the JSON,
TENANT_DIRECTORY_FILE names a file). The directory, not the caller, decides where a tenant's data lives.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.naming import POOLED_KEYSPACE, TENANT_ID_PATTERN, silo_keyspace
from functions.dal.context import TenantContext
from functions.dal.errors import (
    InvalidTenantDirectoryError,
    TenantOffboardedError,
    TierMismatchError,
    UnknownTenantError,
)

ENV_JSON = "TENANT_DIRECTORY"
ENV_FILE = "TENANT_DIRECTORY_FILE"
STATUSES = ("active", "offboarded")
_ROLE_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


@dataclass(frozen=True)
class TenantRecord:
    tenant_id: str
    tier: str
    status: str
    keyspace: str
    s3_prefix: str
    role_arn: str | None

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def pooled(self) -> bool:
        """Pooled tables (tenant_id leads the partition key) rather than a keyspace of its own."""
        return self.keyspace == POOLED_KEYSPACE


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
    def problem(message: str) -> InvalidTenantDirectoryError:
        return InvalidTenantDirectoryError(f"tenant directory entry {tenant_id!r}: {message}")

    if not isinstance(tenant_id, str) or not TENANT_ID_PATTERN.match(tenant_id):
        raise problem(f"the tenant id does not match {TENANT_ID_PATTERN.pattern}")
    if not isinstance(entry, Mapping):
        raise problem("must be an object with tier, status, keyspace, s3Prefix, roleArn")
    missing = [key for key in ("tier", "status", "keyspace", "s3Prefix", "roleArn") if key not in entry]
    if missing:
        raise problem(f"missing {missing}")
    tier, status, keyspace, s3_prefix, role_arn = (
        entry[key] for key in ("tier", "status", "keyspace", "s3Prefix", "roleArn")
    )
    if not isinstance(tier, str) or not tier:
        raise problem(f"tier {tier!r} is not a tier name")
    if status not in STATUSES:
        raise problem(f"status {status!r} is not one of {STATUSES}")
    # A keyspace is the pooled one or the tenant's own: never another tenant's.
    if keyspace not in (POOLED_KEYSPACE, silo_keyspace(tenant_id)):
        raise problem(f"keyspace {keyspace!r} is neither {POOLED_KEYSPACE!r} nor its own {silo_keyspace(tenant_id)!r}")
    if not isinstance(s3_prefix, str):
        raise problem(f"s3Prefix {s3_prefix!r} is not a string")
    if role_arn is not None and (not isinstance(role_arn, str) or not _ROLE_ARN.match(role_arn)):
        raise problem(f"roleArn {role_arn!r} is not an IAM role ARN")
    if status == "active" and role_arn is None:
        raise problem("an active tenant needs a roleArn to reach its data")
    return TenantRecord(tenant_id, tier, status, keyspace, s3_prefix, role_arn)
