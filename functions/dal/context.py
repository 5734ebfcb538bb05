"""The tenant context: who the current request acts for, taken from verified claims only.

Middleware sets it once per request (`with tenant_scope(TenantContext.from_claims(claims))`);
every DAL operation reads it, so application code never passes a tenant id, a keyspace or a
tenant predicate. A scope holds only for the code running under its `with` block (tenant_scope).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType
from typing import Any

from functions.contracts.identity import CONTEXT_TENANT_ID, CONTEXT_TIER, TENANT_ID, TIER
from functions.contracts.tenant_id import is_tenant_id, tenant_id_problem
from functions.contracts.tiers import TIER_NAME_RULE, is_tier_name
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
        if not is_tier_name(self.tier):
            raise InvalidTenantContextError(
                f"tenant {self.tenant_id!r}: tier {self.tier!r} is not a tier name ({TIER_NAME_RULE})"
            )

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


class _Scope:
    """One entered tenant_scope: the context, the frame that entered it, the scope it nests in."""

    __slots__ = ("context", "frame", "parent")

    def __init__(self, context: TenantContext, frame: FrameType | None, parent: _Scope | None):
        self.context = context
        self.frame = frame  # None once the scope has exited
        self.parent = parent


_current: ContextVar[_Scope | None] = ContextVar("tenant_scope", default=None)


class tenant_scope:  # noqa: N801 - used as `with tenant_scope(context):`, like a contextmanager
    """Act for `context` in the code that runs under this `with` block, and nowhere else.

    A contextvar alone follows the Context, not the code: a scope entered in a generator stays
    set for its consumer at each `yield`, and a thread pool's worker or a task created meanwhile
    inherits it. So a scope also records the frame that entered it, and `current_tenant` honours
    it only while that frame is on the caller's stack and the block has not exited. Suspended
    generators, other threads (even with a copied Context), other asyncio tasks and scopes entered
    for someone else (ExitStack) therefore see no tenant: they must enter their own scope.
    """

    __slots__ = ("_context", "_scope")

    def __init__(self, context: TenantContext):
        if not isinstance(context, TenantContext):
            raise NoTenantContextError()
        self._context = context
        self._scope: _Scope | None = None

    def __enter__(self) -> TenantContext:
        if self._scope is not None:
            raise RuntimeError("a tenant_scope is entered once; create one per block")
        self._scope = _Scope(self._context, sys._getframe(1), _open(_current.get()))
        _current.set(self._scope)
        return self._context

    def __exit__(self, *exc: object) -> None:
        scope = self._scope
        assert scope is not None
        scope.frame = None
        # Only the Context that set the scope points at it. A generator finalised elsewhere (another
        # Context) leaves that Context's pointer, which now names a closed scope and is skipped.
        if _current.get() is scope:
            _current.set(_open(scope.parent))


def _open(scope: _Scope | None) -> _Scope | None:
    while scope is not None and scope.frame is None:
        scope = scope.parent
    return scope


def current_tenant() -> TenantContext:
    """The context of the running request; NoTenantContextError outside every tenant_scope.

    The innermost open scope whose `with` block is running on this stack (see tenant_scope).
    """
    scope = _open(_current.get())
    if scope is None:
        raise NoTenantContextError()
    caller = sys._getframe(1)
    while scope is not None:
        if scope.frame is not None and _on_stack(scope.frame, caller):
            return scope.context
        scope = scope.parent
    raise NoTenantContextError(
        "the open tenant scope belongs to code that is not running here (a suspended generator, "
        "another thread or task); enter tenant_scope where the tenant's data is used"
    )


def _on_stack(frame: FrameType, top: FrameType) -> bool:
    walk: FrameType | None = top
    while walk is not None:
        if walk is frame:
            return True
        walk = walk.f_back
    return False
