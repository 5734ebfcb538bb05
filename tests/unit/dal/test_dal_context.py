"""The tenant context: from verified claims only, per scope, refused when absent or malformed."""

from __future__ import annotations

import threading

import pytest

from functions.dal import (
    InvalidTenantContextError,
    NoTenantContextError,
    TenantContext,
    current_tenant,
    tenant_scope,
)


def test_from_authorizer_context() -> None:
    assert TenantContext.from_claims({"tenantId": "acme", "tier": "premium", "sub": "u1"}) == TenantContext(
        "acme", "premium"
    )


def test_from_cognito_custom_claims() -> None:
    claims = {"custom:tenantId": "globex", "custom:tier": "basic", "email": "a@b.c"}
    assert TenantContext.from_claims(claims) == TenantContext("globex", "basic")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"tier": "basic"}, "no tenant id"),
        ({"tenantId": "acme"}, "no tier"),
        ({"tenantId": "Acme!", "tier": "basic"}, "does not match"),
        ({"tenantId": "acme", "tier": ""}, "not a tier name"),
        ({"tenantId": 42, "tier": "basic"}, "does not match"),
    ],
)
def test_bad_claims_are_refused(claims: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidTenantContextError, match=message):
        TenantContext.from_claims(claims)


def test_no_context_outside_a_scope() -> None:
    with pytest.raises(NoTenantContextError, match="no tenant context"):
        current_tenant()


def test_scope_sets_and_restores() -> None:
    with tenant_scope(TenantContext("acme", "premium")):
        assert current_tenant().tenant_id == "acme"
        with tenant_scope(TenantContext("globex", "basic")):
            assert current_tenant().tenant_id == "globex"
        assert current_tenant().tenant_id == "acme"
    with pytest.raises(NoTenantContextError):
        current_tenant()


def test_scope_refuses_something_that_is_not_a_context() -> None:
    with pytest.raises(NoTenantContextError), tenant_scope({"tenantId": "acme"}):  # type: ignore[arg-type]
        pass


def test_context_does_not_leak_into_other_threads() -> None:
    seen: list[str] = []

    def other_thread() -> None:
        try:
            seen.append(current_tenant().tenant_id)
        except NoTenantContextError:
            seen.append("none")

    with tenant_scope(TenantContext("acme", "premium")):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen == ["none"]
