"""The tenant directory's record: what running code knows about one tenant, and its JSON form.

    {"acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme",
              "s3Prefix": "tenant=acme/", "roleArn": "arn:aws:iam::123456789012:role/..."}}

The program writes it (components/storage/directory.py); the DAL and the demo read it. One model, so
writer and readers cannot drift: `to_entry` writes the JSON form, `from_entry` reads and checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from functions.contracts.aws import is_role_arn
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.tenant_id import is_tenant_id, tenant_id_problem

TenantStatus = Literal["active", "offboarded"]
TENANT_STATUSES: tuple[TenantStatus, ...] = ("active", "offboarded")
ENTRY_KEYS = ("tier", "status", "keyspace", "s3Prefix", "roleArn")  # the JSON form's keys are camelCase


@dataclass(frozen=True)
class TenantRecord:
    tenant_id: str
    tier: str
    status: str
    keyspace: str
    s3_prefix: str
    role_arn: str | None  # None once the tenant is no longer served

    @property
    def active(self) -> bool:
        return self.status == "active"

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
        if not isinstance(tier, str) or not tier:
            raise problem(f"tier {tier!r} is not a tier name")
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
        return TenantRecord(tenant_id, tier, status, keyspace, s3_prefix, role_arn)
