"""Which tenant a verified token speaks for, and the rules its claims must meet (functions/contracts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from functions.contracts.identity import CONTEXT_TENANT_ID, CONTEXT_TIER, TENANT_ID, TIER
from functions.contracts.tenant_id import TENANT_ID_RULE, is_tenant_id
from functions.contracts.tiers import TIER_NAMES

from .errors import RefusedError

TENANT_ID_CLAIM = TENANT_ID.claim
TIER_CLAIM = TIER.claim


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    tier: str

    def as_context(self) -> dict[str, str]:
        """The authorizer context the mapping template reads ($context.authorizer.tenantId / .tier)."""
        return {CONTEXT_TENANT_ID: self.tenant_id, CONTEXT_TIER: self.tier}


def tenant_from_claims(claims: Mapping[str, object]) -> Tenant:
    """The tenant of verified claims; RefusedError when a claim is missing or breaks its rule."""
    tenant_id = claims.get(TENANT_ID_CLAIM)
    if not isinstance(tenant_id, str):
        raise RefusedError(f"claim {TENANT_ID_CLAIM} is missing or not a string")
    if not is_tenant_id(tenant_id):
        # The value is the caller's: the reason names the rule, never echoes it into the log.
        raise RefusedError(f"claim {TENANT_ID_CLAIM} does not match the tenant id rule ({TENANT_ID_RULE})")
    tier = claims.get(TIER_CLAIM)
    if not isinstance(tier, str) or tier not in TIER_NAMES:
        raise RefusedError(f"claim {TIER_CLAIM} is missing or not one of {sorted(TIER_NAMES)}")
    return Tenant(tenant_id=tenant_id, tier=tier)
