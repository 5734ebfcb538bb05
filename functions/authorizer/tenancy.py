"""Which tenant a verified token speaks for, and the rules its claims must meet.

The Lambda package is functions/authorizer alone, so these are local copies of naming.TENANT_ID_PATTERN
and the names of tiers.defaults.DEFAULT_TIERS; tests/authorizer/test_contract_copies.py keeps them equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .refusal import RefusedError

# The tenant id becomes a Kinesis partition key, a keyspace name and an S3 prefix: same rule as naming.py.
TENANT_ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
TIERS = frozenset({"basic", "premium"})

TENANT_ID_CLAIM = "custom:tenantId"
TIER_CLAIM = "custom:tier"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    tier: str

    def as_context(self) -> dict[str, str]:
        """The authorizer context the mapping template reads ($context.authorizer.tenantId / .tier)."""
        return {"tenantId": self.tenant_id, "tier": self.tier}


def tenant_from_claims(claims: Mapping[str, object]) -> Tenant:
    """The tenant of verified claims; RefusedError when a claim is missing or breaks its rule."""
    tenant_id = claims.get(TENANT_ID_CLAIM)
    if not isinstance(tenant_id, str):
        raise RefusedError(f"claim {TENANT_ID_CLAIM} is missing or not a string")
    # fullmatch: `$` alone would let "acme\n" through.
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        raise RefusedError(f"claim {TENANT_ID_CLAIM} does not match {TENANT_ID_PATTERN.pattern}")
    tier = claims.get(TIER_CLAIM)
    if not isinstance(tier, str) or tier not in TIERS:
        raise RefusedError(f"claim {TIER_CLAIM} is missing or not one of {sorted(TIERS)}")
    return Tenant(tenant_id=tenant_id, tier=tier)
