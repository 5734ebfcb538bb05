"""The tenant directory's record: what running code knows about one tenant, and its JSON form.

    {"acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme",
              "s3Prefix": "tenant=acme/", "roleArn": "arn:aws:iam::123456789012:role/...",
              "migration": null, "cell": "premium-1", "keyCell": "premium-1"}}

`migration` is set while the tenant moves between tiers (functions/contracts/migration.py): then
`tier`, `keyspace` and `roleArn` are the target's, and the migration names the source.

The program writes it (components/storage/directory.py) into the directory document that running code
reads (`directory_document` / `parse_document`); the DAL, the authorizer and the jobs read it. One model,
so writer and readers cannot drift: `to_entry` writes the JSON form, `from_entry` reads and checks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from functions.contracts.aws import is_role_arn
from functions.contracts.cells import CELL_NAME_RULE, is_cell_name
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.migration import MigrationRecord
from functions.contracts.tenant_id import is_tenant_id, tenant_id_problem
from functions.contracts.tiers import TIER_NAME_RULE, is_tier_name

TenantStatus = Literal["active", "offboarded"]
TENANT_STATUSES: tuple[TenantStatus, ...] = ("active", "offboarded")
ENTRY_KEYS = ("tier", "status", "keyspace", "s3Prefix", "roleArn")  # the JSON form's keys are camelCase
MIGRATION_KEY = "migration"  # optional in an entry: absent or null when the tenant is not moving
# Optional in an entry, absent or null in a record from before cells: the cell whose slice publishes the record,
# and the cell whose API key the authorizer hands API Gateway (functions/contracts/api_keys.py).
CELL_KEY = "cell"
KEY_CELL_KEY = "keyCell"
# The document running code reads (an S3 object the program publishes): {"version": 1, "tenants": {...}}.
DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class TenantRecord:
    tenant_id: str
    tier: str
    status: str
    keyspace: str
    s3_prefix: str
    role_arn: str | None  # None once the tenant is no longer served
    migration: MigrationRecord | None = None  # set while the tenant moves between tiers
    cell: str | None = None  # the cell that declares it (functions/contracts/cells.py); None before cells
    key_cell: str | None = None  # its API key's salt: the cell that declared the key; None: a key from before cells

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def read_keyspace(self) -> str:
        """Where the tenant's reads go: the source while a migration copies, else its own storage."""
        if self.migration is not None and self.migration.reads_from_source:
            return self.migration.keyspace
        return self.keyspace

    @property
    def write_keyspaces(self) -> tuple[str, ...]:
        """Where each write goes, the read storage first: both storages until a migration is done."""
        if self.migration is None or not self.migration.writes_to_source:
            return (self.keyspace,)
        if self.migration.reads_from_source:
            return (self.migration.keyspace, self.keyspace)
        return (self.keyspace, self.migration.keyspace)

    def role_for(self, keyspace: str) -> str | None:
        """The role that reaches `keyspace` for this tenant: its own storage's, or the migration source's."""
        if keyspace == self.keyspace:
            return self.role_arn
        if self.migration is not None and keyspace == self.migration.keyspace:
            return self.migration.role_arn
        raise ContractError(f"tenant {self.tenant_id!r} has no storage in keyspace {keyspace!r}")

    @property
    def pooled(self) -> bool:
        """Pooled tables (tenant_id leads the partition key) rather than a keyspace of its own."""
        return self.keyspace == POOLED_KEYSPACE

    def to_entry(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "status": self.status,
            "keyspace": self.keyspace,
            "s3Prefix": self.s3_prefix,
            "roleArn": self.role_arn,
            MIGRATION_KEY: None if self.migration is None else self.migration.to_entry(),
            CELL_KEY: self.cell,
            KEY_CELL_KEY: self.key_cell,
        }

    @staticmethod
    def from_entry(tenant_id: object, entry: object) -> TenantRecord:
        """The record of one directory entry; ContractError naming the tenant and the problem."""

        def problem(message: str) -> ContractError:
            return ContractError(f"tenant directory entry {tenant_id!r}: {message}")

        if not is_tenant_id(tenant_id):
            raise problem(tenant_id_problem(tenant_id, "the tenant id"))
        assert isinstance(tenant_id, str)
        if not isinstance(entry, Mapping):
            raise problem(f"must be an object with {', '.join(ENTRY_KEYS)}")
        missing = [key for key in ENTRY_KEYS if key not in entry]
        if missing:
            raise problem(f"missing {missing}")
        tier, status, keyspace, s3_prefix, role_arn = (entry[key] for key in ENTRY_KEYS)
        if not is_tier_name(tier):
            raise problem(f"tier {tier!r} is not a tier name ({TIER_NAME_RULE})")
        if status not in TENANT_STATUSES:
            raise problem(f"status {status!r} is not one of {TENANT_STATUSES}")
        # A keyspace is the pooled one or the tenant's own: never another tenant's.
        if keyspace not in (POOLED_KEYSPACE, silo_keyspace(tenant_id)):
            raise problem(
                f"keyspace {keyspace!r} is neither {POOLED_KEYSPACE!r} nor its own {silo_keyspace(tenant_id)!r}"
            )
        if not isinstance(s3_prefix, str):
            raise problem(f"s3Prefix {s3_prefix!r} is not a string")
        if role_arn is not None and not is_role_arn(role_arn):
            raise problem(f"roleArn {role_arn!r} is not an IAM role ARN")
        if status == "active" and role_arn is None:
            raise problem("an active tenant needs a roleArn to reach its data")
        migration = None
        if entry.get(MIGRATION_KEY) is not None:
            try:
                migration = MigrationRecord.from_entry(entry[MIGRATION_KEY])
            except ContractError as error:
                raise problem(str(error)) from error
            if migration.keyspace not in (POOLED_KEYSPACE, silo_keyspace(tenant_id)) or migration.keyspace == keyspace:
                raise problem(f"migration keyspace {migration.keyspace!r} is not the tenant's other storage")
            if status != "active":
                raise problem("an offboarded tenant cannot be migrating")
        cell, key_cell = entry.get(CELL_KEY), entry.get(KEY_CELL_KEY)
        for name, value in ((CELL_KEY, cell), (KEY_CELL_KEY, key_cell)):
            if value is not None and not is_cell_name(value):
                raise problem(f"{name} {value!r} is not a cell name ({CELL_NAME_RULE})")
        return TenantRecord(tenant_id, tier, status, keyspace, s3_prefix, role_arn, migration, cell, key_cell)


def directory_document(records: Iterable[TenantRecord]) -> dict[str, Any]:
    """The published directory: what `parse_document` reads back."""
    return {"version": DOCUMENT_VERSION, "tenants": {record.tenant_id: record.to_entry() for record in records}}


def parse_document(text: str | bytes, source: str = "the tenant directory") -> dict[str, TenantRecord]:
    """Every record of a published directory; ContractError naming `source` and the problem."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ContractError(f"{source} is not JSON: {error}") from error
    return document_records(document, source)


def document_records(document: object, source: str = "the tenant directory") -> dict[str, TenantRecord]:
    """Every record of a directory document already parsed from JSON; ContractError naming `source` and the problem."""
    if not isinstance(document, Mapping) or document.get("version") != DOCUMENT_VERSION:
        raise ContractError(f"{source} is not a version {DOCUMENT_VERSION} directory document")
    tenants = document.get("tenants")
    if not isinstance(tenants, Mapping):
        raise ContractError(f"{source} has no `tenants` object")
    return {tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in tenants.items()}
