"""The tenant identity contract: Cognito custom attributes, and the authorizer context made from them.

Both are immutable and writable by no app client, so a user can never move to another tenant or
tier; administrators set them when they create the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.tenant_id import TENANT_ID_MAX_LENGTH


@dataclass(frozen=True)
class TenantAttribute:
    name: str  # in the user pool schema; tokens carry it as `custom:<name>`
    min_length: int
    max_length: int

    @property
    def claim(self) -> str:
        return f"custom:{self.name}"


TENANT_ID = TenantAttribute("tenantId", 1, TENANT_ID_MAX_LENGTH)
TIER = TenantAttribute("tier", 1, 32)
TENANT_ATTRIBUTES = (TENANT_ID, TIER)

# The authorizer context's keys ($context.authorizer.tenantId / .tier in the mapping template).
CONTEXT_TENANT_ID = "tenantId"
CONTEXT_TIER = "tier"

# The session tag every tenant-role session carries (the DAL sets it); pooled roles' trust and S3 access read it.
TENANT_SESSION_TAG = "TenantId"
