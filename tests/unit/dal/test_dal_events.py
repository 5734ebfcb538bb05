"""The DAL tells the service that embeds it what it did: structured log records (`functions.dal` logger,
`extra` fields dal_event / tenant_id / reason) and counters (TenantDataAccess.metrics()); never row data."""

from __future__ import annotations

import logging
from typing import Any, cast

import pytest
from cassandra.cluster import NoHostAvailable

from functions.contracts.directory import TenantRecord
from functions.dal import DalMetrics, TenantContext, TenantDataAccess, TenantDirectory, tenant_scope
from functions.dal.errors import (
    NoTenantContextError,
    TenantOffboardedError,
    UnknownTenantError,
)
from functions.dal.events import DalEvents
from functions.dal.retry import OutageRetry
from functions.dal.sessions import ConnectionPool, Storage, TenantConnection
from tests.support.directory_data import DIRECTORY

SECRET = "Ada Lovelace, 12 Secret Street"  # row data: must appear in no log record


class Records:
    """The `functions.dal` log records of the running test."""

    def __init__(self, caplog: pytest.LogCaptureFixture):
        self.caplog = caplog

    def __call__(self) -> list[logging.LogRecord]:
        return [r for r in self.caplog.records if r.name == "functions.dal"]


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Records:
    caplog.set_level(logging.INFO, logger="functions.dal")
    return Records(caplog)


def events_of(records: list[logging.LogRecord]) -> list[tuple[str, str | None, str]]:
    return [(r.dal_event, r.tenant_id, r.reason) for r in records]  # type: ignore[attr-defined]


def assert_no_row_data(records: list[logging.LogRecord]) -> None:
    for record in records:
        assert SECRET not in record.getMessage()
        assert all(SECRET not in str(value) for value in vars(record).values()), vars(record)


# ---------------------------------------------------------------------------------------------- refusals
def unconnected_dal() -> TenantDataAccess:
    # Refusals happen before any connection: port 1 is never reached.
    return TenantDataAccess.local(TenantDirectory.from_mapping(DIRECTORY), port=1)


@pytest.mark.parametrize(
    ("context", "error", "reason"),
    [
        (TenantContext("stark", "basic"), UnknownTenantError, "unknown-tenant"),
        (TenantContext("umbrella", "basic"), TenantOffboardedError, "tenant-offboarded"),
    ],
)
def test_a_refused_context_is_logged_and_counted_with_its_tenant_and_reason(
    records: Records, context: TenantContext, error: type[Exception], reason: str
) -> None:
    with unconnected_dal() as dal, tenant_scope(context):
        with pytest.raises(error):
            dal.customers.put({"customer_id": "c1", "name": SECRET})
        with pytest.raises(error):
            dal.customers.get(customer_id="c1")
        assert dal.metrics().refusals == {reason: 2}
    assert events_of(records()) == [("refusal", context.tenant_id, reason)] * 2
    assert all(r.levelno == logging.WARNING for r in records())
    assert_no_row_data(records())


def test_a_call_without_a_tenant_context_is_logged_without_a_tenant(records: Records) -> None:
    with unconnected_dal() as dal:
        with pytest.raises(NoTenantContextError):
            dal.orders.find(customer_id=SECRET)
        assert dal.metrics() == DalMetrics(refusals={"no-tenant-context": 1})
    assert events_of(records()) == [("refusal", None, "no-tenant-context")]
    assert_no_row_data(records())


# ----------------------------------------------------------------------------------- sessions, evictions
class _Cluster:
    def __init__(self) -> None:
        self.closed = False

    def shutdown(self) -> None:
        self.closed = True


def record(tenant_id: str, role_suffix: str = "") -> TenantRecord:
    return TenantRecord.from_entry(
        tenant_id, {**DIRECTORY[tenant_id], "roleArn": DIRECTORY[tenant_id]["roleArn"] + role_suffix}
    )


def opener(record: TenantRecord) -> TenantConnection:
    storage = Storage(record.keyspace, None, cast(Any, _Cluster()), cast(Any, None))
    return TenantConnection(record=record, storages=(storage,))


def test_sessions_opened_and_evicted_are_logged_and_counted(records: Records) -> None:
    events = DalEvents()
    pool = ConnectionPool(opener, max_sessions=1, close_grace=0.0, events=events)
    pool.get(record("acme"))
    pool.get(record("globex"))  # no room: acme's session is closed
    pool.get(record("globex", role_suffix="-v2"))  # the directory changed globex's record: a new scope
    pool.close()
    assert events.snapshot(sessions_open=0) == DalMetrics(
        sessions_opened=3, evictions={"max-sessions": 1, "directory-changed": 1}
    )
    assert events_of(records()) == [
        ("session-opened", "acme", "own-keyspace"),
        ("eviction", "acme", "max-sessions"),
        ("session-opened", "globex", "pooled"),
        ("eviction", "globex", "directory-changed"),
        ("session-opened", "globex", "pooled"),
    ]


# ----------------------------------------------------------------------------------------------- retries
class Flaky:
    def __init__(self, failures: int):
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise NoHostAvailable(f"no host for {SECRET}", {})
        return "answer"


def test_retries_through_an_outage_are_logged_with_the_tenant_and_counted(records: Records) -> None:
    events = DalEvents()
    retry = OutageRetry(deadline=5.0, first_delay=0.01, max_delay=0.02, events=events)
    assert retry.run(Flaky(failures=2), idempotent=True, tenant_id="acme") == "answer"
    assert events.snapshot(sessions_open=0) == DalMetrics(retries=2)
    assert events_of(records()) == [("retry", "acme", "NoHostAvailable")] * 2
    assert [r.attempt for r in records()] == [2, 3]  # type: ignore[attr-defined]
    assert_no_row_data(records())  # the driver's message is not logged


def test_an_outage_past_the_deadline_is_logged_as_given_up(records: Records) -> None:
    events = DalEvents()
    retry = OutageRetry(deadline=0.05, first_delay=0.01, max_delay=0.01, events=events)
    with pytest.raises(NoHostAvailable):
        retry.run(Flaky(failures=10_000), idempotent=True, tenant_id="globex")
    metrics = events.snapshot(sessions_open=0)
    assert metrics.outages_given_up == 1 and metrics.retries >= 1
    last = records()[-1]
    assert (last.dal_event, last.tenant_id, last.levelno) == ("outage-gave-up", "globex", logging.ERROR)  # type: ignore[attr-defined]


def test_a_statement_that_is_not_idempotent_is_neither_retried_nor_logged(records: Records) -> None:
    events = DalEvents()
    with pytest.raises(NoHostAvailable):
        OutageRetry(deadline=5.0, first_delay=0.01, events=events).run(Flaky(failures=1), idempotent=False)
    assert events.snapshot(sessions_open=0) == DalMetrics()
    assert records() == []
