"""The DAL rides through a Cassandra restart: idempotent writes in flight are retried until the node is back."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from cassandra.cluster import Session

from functions.dal import TenantContext, TenantDataAccess, tenant_scope
from local.services.cassandra import CassandraNode
from tests.support.directory_data import ACME, GLOBEX

pytestmark = pytest.mark.cassandra

WAIT = 180.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting until {what}")
        time.sleep(0.05)


class Writer(threading.Thread):
    """Writes orders for one tenant through the DAL, one after another, until told to stop."""

    def __init__(self, dal: TenantDataAccess, context: TenantContext):
        super().__init__(daemon=True)
        self.dal = dal
        self.context = context
        self.customer_id = f"restart-{uuid.uuid4().hex[:12]}"
        self.written: list[uuid.UUID] = []
        self.failure: BaseException | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            with tenant_scope(self.context):
                while not self.stopping.is_set():
                    order_id = uuid.uuid1()
                    self.dal.orders.put({"customer_id": self.customer_id, "order_id": order_id, "status": "new"})
                    self.written.append(order_id)
        except BaseException as error:
            self.failure = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=WAIT)
        assert not self.is_alive(), "the writer did not finish"
        assert self.failure is None, f"a write failed through the restart: {self.failure!r}"


def test_writes_in_flight_survive_a_restart(
    cassandra_node: CassandraNode, local_dal: TenantDataAccess, cql_session: Session
) -> None:
    writers = [Writer(local_dal, ACME), Writer(local_dal, GLOBEX)]
    for writer in writers:
        writer.start()
    wait_until(lambda: all(len(w.written) >= 20 for w in writers), "both tenants have written")
    retries_before = local_dal.retry.retries

    cassandra_node.restart()  # SIGTERM (the node drains), then the same ports again, data kept

    after_restart = [len(w.written) for w in writers]
    wait_until(
        lambda: all(len(w.written) >= n + 20 for w, n in zip(writers, after_restart, strict=True)),
        "writes flow again",
    )
    for writer in writers:
        writer.stop()

    # Writes were refused while the node was down, and the DAL retried them rather than failing.
    assert local_dal.retry.retries > retries_before
    for writer in writers:
        with tenant_scope(writer.context):
            stored = local_dal.orders.find(customer_id=writer.customer_id, limit=10_000)
        assert {row["order_id"] for row in stored} == set(writer.written)
    # The operator's session is back too, for the tests that follow.
    wait_until(lambda: _answers(cql_session), "the bare session answers")


def _answers(session: Session) -> bool:
    try:
        session.execute("SELECT release_version FROM system.local", timeout=5)
    except Exception:
        return False
    return True
