"""Retries happen only for idempotent statements: the driver policy's decisions and the outage retry."""

from __future__ import annotations

import pytest
from cassandra import ConsistencyLevel
from cassandra.cluster import NoHostAvailable
from cassandra.policies import RetryPolicy
from cassandra.query import SimpleStatement

from functions.dal.retry import IdempotentRetryPolicy, OutageRetry

IDEMPOTENT = SimpleStatement("SELECT 1", is_idempotent=True)
NOT_IDEMPOTENT = SimpleStatement("UPDATE t SET n = n + 1", is_idempotent=False)
QUORUM = ConsistencyLevel.LOCAL_QUORUM


def test_driver_policy_retries_idempotent_statements_up_to_the_limit() -> None:
    policy = IdempotentRetryPolicy(max_retries=2)
    assert policy.on_request_error(IDEMPOTENT, QUORUM, error=None, retry_num=0) == (RetryPolicy.RETRY_NEXT_HOST, None)
    assert policy.on_write_timeout(
        IDEMPOTENT, QUORUM, write_type="SIMPLE", required_responses=2, received_responses=1, retry_num=1
    ) == (RetryPolicy.RETRY, QUORUM)
    assert policy.on_read_timeout(
        IDEMPOTENT, QUORUM, required_responses=2, received_responses=1, data_retrieved=False, retry_num=2
    ) == (RetryPolicy.RETHROW, None)
    assert policy.on_unavailable(IDEMPOTENT, QUORUM, required_replicas=2, alive_replicas=1, retry_num=0) == (
        RetryPolicy.RETRY_NEXT_HOST,
        None,
    )


def test_driver_policy_never_retries_what_is_not_idempotent() -> None:
    policy = IdempotentRetryPolicy()
    assert policy.on_request_error(NOT_IDEMPOTENT, QUORUM, error=None, retry_num=0) == (RetryPolicy.RETHROW, None)
    assert policy.on_write_timeout(
        NOT_IDEMPOTENT, QUORUM, write_type="SIMPLE", required_responses=2, received_responses=1, retry_num=0
    ) == (RetryPolicy.RETHROW, None)


class Flaky:
    """A call that fails with an outage error `failures` times, then answers."""

    def __init__(self, failures: int):
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise NoHostAvailable("no host", {})
        return "answer"


def test_outage_retry_runs_an_idempotent_call_until_it_answers() -> None:
    retry = OutageRetry(deadline=5.0, first_delay=0.01, max_delay=0.02)
    call = Flaky(failures=3)
    assert retry.run(call, idempotent=True) == "answer"
    assert call.calls == 4
    assert retry.retries == 3


def test_outage_retry_gives_up_at_the_deadline() -> None:
    retry = OutageRetry(deadline=0.2, first_delay=0.05, max_delay=0.05)
    with pytest.raises(NoHostAvailable):
        retry.run(Flaky(failures=1000), idempotent=True)
    assert 1 <= retry.retries <= 6


def test_outage_retry_does_not_retry_a_call_that_is_not_idempotent() -> None:
    call = Flaky(failures=1)
    with pytest.raises(NoHostAvailable):
        OutageRetry(deadline=5.0, first_delay=0.01).run(call, idempotent=False)
    assert call.calls == 1


def test_other_errors_are_not_retried() -> None:
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        OutageRetry(deadline=5.0, first_delay=0.01).run(broken, idempotent=True)
    assert len(calls) == 1
