"""Which tenant a verified token speaks for, and what the tenant directory says about it.

The token names the tenant (`custom:tenantId`: immutable, written by no app client). Everything else about
the tenant (served or offboarded, its tier, which of its API keys API Gateway holds) comes from the published
directory: `custom:tier` is informational and never read, so a tier change needs no new users or tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from functions.contracts.directory import TenantRecord
from functions.contracts.identity import CONTEXT_TENANT_ID, CONTEXT_TIER, TENANT_ID
from functions.contracts.tenant_id import TENANT_ID_RULE, is_tenant_id

from .errors import RefusedError

TENANT_ID_CLAIM = TENANT_ID.claim


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    tier: str
    key_cell: str | None = None  # its API key's salt (the record's keyCell); None: a key from before cells

    def as_context(self) -> dict[str, str]:
        """The authorizer context the mapping template reads ($context.authorizer.tenantId / .tier)."""
        return {CONTEXT_TENANT_ID: self.tenant_id, CONTEXT_TIER: self.tier}


def tenant_id_from_claims(claims: Mapping[str, object]) -> str:
    """The tenant of verified claims; RefusedError when the claim is missing or breaks the tenant id rule."""
    tenant_id = claims.get(TENANT_ID_CLAIM)
    if not isinstance(tenant_id, str):
        raise RefusedError(f"claim {TENANT_ID_CLAIM} is missing or not a string")
    if not is_tenant_id(tenant_id):
        # The value is the caller's: the reason names the rule, never echoes it into the log.
        raise RefusedError(f"claim {TENANT_ID_CLAIM} does not match the tenant id rule ({TENANT_ID_RULE})")
    return tenant_id


def served_tenant(tenant_id: str, record: TenantRecord | None) -> Tenant:
    """The tenant as the directory serves it; RefusedError for a tenant it does not list or has offboarded."""
    if record is None:
        raise RefusedError(f"tenant {tenant_id!r} is not in the tenant directory")
    if not record.active:
        raise RefusedError(f"tenant {tenant_id!r} is {record.status}")
    return Tenant(tenant_id=tenant_id, tier=record.tier, key_cell=record.key_cell)
