"""The tenant context: who the current request acts for, taken from verified claims only.

Middleware sets it once per request (`with tenant_scope(TenantContext.from_claims(claims))`);
every DAL operation reads it, so application code never passes a tenant id, a keyspace or a
tenant predicate. A contextvar keeps it per thread and per asyncio task.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from functions.contracts.identity import CONTEXT_TENANT_ID, CONTEXT_TIER, TENANT_ID, TIER
from functions.contracts.tenant_id import is_tenant_id, tenant_id_problem
from functions.dal.errors import InvalidTenantContextError, NoTenantContextError

# Claim names: the authorizer's context ({tenantId, tier}) and the Cognito ID token's custom attributes.
_TENANT_CLAIMS = (CONTEXT_TENANT_ID, TENANT_ID.claim)
_TIER_CLAIMS = (CONTEXT_TIER, TIER.claim)


@dataclass(frozen=True)
class TenantContext:
    tenant_id: str
    tier: str

    def __post_init__(self) -> None:
        if not is_tenant_id(self.tenant_id):
            raise InvalidTenantContextError(tenant_id_problem(self.tenant_id))
        if not isinstance(self.tier, str) or not self.tier:
            raise InvalidTenantContextError(f"tenant {self.tenant_id!r}: tier {self.tier!r} is not a tier name")

    @staticmethod
    def from_claims(claims: Mapping[str, Any]) -> TenantContext:
        """From claims that were already verified: the authorizer context or the ID token's claims."""
        tenant_id = _first(claims, _TENANT_CLAIMS)
        tier = _first(claims, _TIER_CLAIMS)
        if tenant_id is None:
            raise InvalidTenantContextError(f"the claims carry no tenant id (looked for {', '.join(_TENANT_CLAIMS)})")
        if tier is None:
            raise InvalidTenantContextError(f"the claims carry no tier (looked for {', '.join(_TIER_CLAIMS)})")
        return TenantContext(tenant_id, tier)


def _first(claims: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    return next((claims[name] for name in names if claims.get(name) is not None), None)


_current: ContextVar[TenantContext | None] = ContextVar("tenant_context", default=None)


@contextmanager
def tenant_scope(context: TenantContext) -> Iterator[TenantContext]:
    """Act for `context` inside the block; the previous context (usually none) comes back after it."""
    if not isinstance(context, TenantContext):
        raise NoTenantContextError()
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_tenant() -> TenantContext:
    """The context of the running request; NoTenantContextError outside every tenant_scope."""
    context = _current.get()
    if context is None:
        raise NoTenantContextError()
    return context
