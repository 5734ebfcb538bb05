"""The tenant identity contract: Cognito custom attributes that the authorizer turns into context.

Both are immutable and writable by no app client, so a user can never move to another tenant or
tier; administrators set them when they create the user.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TenantAttribute:
    name: str  # in the user pool schema; tokens carry it as `custom:<name>`
    min_length: int
    max_length: int

    @property
    def claim(self) -> str:
        return f"custom:{self.name}"


TENANT_ID = TenantAttribute("tenantId", 1, 32)  # naming.TENANT_ID_PATTERN: at most 32 characters
TIER = TenantAttribute("tier", 1, 32)
TENANT_ATTRIBUTES = (TENANT_ID, TIER)

# What tenant apps may read and write on their own users; never the tenant attributes.
APP_READ_ATTRIBUTES = ("email", "email_verified", *(attribute.claim for attribute in TENANT_ATTRIBUTES))
APP_WRITE_ATTRIBUTES = ("email",)
# Secure Remote Password sign-in and refresh only: no password is ever sent to Cognito in clear.
APP_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
