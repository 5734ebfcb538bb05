"""The tenant context: from verified claims only, per scope, refused when absent or malformed."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncGenerator, Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

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


# --- a scope never outlives the code that entered it ----------------------------------------------
# `with tenant_scope(...)` inside a generator (a streaming or paginated response) suspends at each
# `yield` with the scope still open; none of these consumers may act for that tenant.

ACME = TenantContext("acme", "premium")
GLOBEX = TenantContext("globex", "basic")


def _seen() -> str:
    try:
        return current_tenant().tenant_id
    except NoTenantContextError:
        return "none"


def _acme_rows() -> Generator[str]:
    with tenant_scope(ACME):
        yield _seen()  # inside the generator, the scope holds at every resumption
        yield _seen()


def test_a_suspended_generator_leaves_no_tenant_to_its_consumer() -> None:
    rows = _acme_rows()
    assert next(rows) == "acme"
    assert _seen() == "none"
    assert next(rows) == "acme"
    assert _seen() == "none"
    rows.close()
    assert _seen() == "none"


def test_a_suspended_generator_does_not_replace_the_consumers_scope() -> None:
    with tenant_scope(GLOBEX):
        rows = _acme_rows()
        assert next(rows) == "acme"
        assert _seen() == "globex"
    assert _seen() == "none"
    assert next(rows) == "acme"  # resumed after the consumer's scope ended: still its own
    assert _seen() == "none"


def test_a_pool_worker_does_not_carry_a_tenant_into_its_next_job() -> None:
    kept: list[Generator[str]] = []  # e.g. a streaming response still referenced by the framework

    def first_job() -> str:
        kept.append(_acme_rows())
        return next(kept[0])

    with ThreadPoolExecutor(max_workers=1) as pool:  # one worker: both jobs run on the same thread
        assert pool.submit(first_job).result() == "acme"
        assert pool.submit(_seen).result() == "none"


def test_a_scope_entered_through_an_exit_stack_ends_with_the_function() -> None:
    def begin() -> ExitStack:
        stack = ExitStack()
        stack.enter_context(tenant_scope(ACME))
        return stack  # the caller never entered a scope

    stack = begin()
    assert _seen() == "none"
    stack.close()


def test_a_context_copied_to_another_thread_carries_no_tenant() -> None:
    with tenant_scope(ACME), ThreadPoolExecutor(max_workers=1) as pool:
        copied = contextvars.copy_context()
        assert pool.submit(copied.run, _seen).result() == "none"


async def _acme_stream() -> AsyncGenerator[str]:
    with tenant_scope(ACME):
        yield _seen()
        await asyncio.sleep(0)
        yield _seen()


def test_asyncio_tasks_see_only_their_own_scope() -> None:
    async def consumer() -> list[str]:
        stream = _acme_stream()
        seen = [await anext(stream), _seen()]
        # A task created now copies this task's context: it must not inherit the stream's scope.
        seen.append(await asyncio.create_task(asyncio.to_thread(_seen)))
        seen.append(await asyncio.create_task(_async_seen()))
        seen.append(await anext(stream))
        await stream.aclose()
        return seen

    async def scoped(context: TenantContext) -> list[str]:
        with tenant_scope(context):
            first = _seen()
            await asyncio.sleep(0.01)  # the other task runs here, in its own scope
            return [first, _seen()]

    async def main() -> list[list[str]]:
        return list(await asyncio.gather(consumer(), scoped(ACME), scoped(GLOBEX)))

    # In a thread of its own: asyncio.run leaves the calling thread without an event loop (Pulumi's mocks need one).
    with ThreadPoolExecutor(max_workers=1) as runner:
        seen = runner.submit(asyncio.run, main()).result()
    assert seen == [["acme", "none", "none", "none", "acme"], ["acme", "acme"], ["globex", "globex"]]


async def _async_seen() -> str:
    return _seen()


def test_a_generator_closed_in_another_context_ends_its_scope_cleanly() -> None:
    rows = _acme_rows()
    assert next(rows) == "acme"
    contextvars.copy_context().run(rows.close)  # e.g. garbage-collected elsewhere: no error
    assert _seen() == "none"
