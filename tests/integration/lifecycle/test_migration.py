"""The migration job on the real Cassandra: both ways, with the tenant writing and deleting concurrently,
restarts after crashes in each state, and a corrupted copy caught by verification."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cassandra.cluster import Session

from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.migration import VERIFIED_DIGEST
from functions.contracts.tables import CUSTOMERS, ORDERS, TENANT_TABLES
from functions.dal import TenantDataAccess, tenant_scope
from functions.lifecycle.errors import NotMigratingError, VerificationError
from functions.lifecycle.migrate import run_migration
from functions.lifecycle.rows import TIMESTAMP_PAST_LIMIT
from functions.lifecycle.store import Cassandra
from local.services.cassandra import CassandraNode
from tests.integration.lifecycle.support import (
    Model,
    Writer,
    context_of,
    create_storages,
    dal_for,
    moving,
    new_tenant,
    seed,
    served,
    stored_summaries,
)
from tests.support.tenant_rows import customer, order

pytestmark = pytest.mark.cassandra

TIERS = {"basic": POOLED_KEYSPACE}


class CrashError(Exception):
    """The job dying mid-run (injected)."""


def crash_after(steps: int):  # type: ignore[no-untyped-def]
    seen = [0]

    def hook(table: str, done: int) -> None:
        seen[0] += 1
        if seen[0] > steps:
            raise CrashError(f"crashed in {table} after {steps} steps")

    return hook


class Race:
    """A job step hook: at the 5th row of each table's run (its page read, rows still to write), the tenant
    rewrites every row of that table and deletes every 7th, through the DAL (both storages)."""

    def __init__(self, dal: TenantDataAccess, record: TenantRecord, model: Model):
        self.dal, self.record, self.model = dal, record, model
        self.tables: set[str] = set()

    def __call__(self, table: str, done: int) -> None:
        if done != 5 or table in self.tables:
            return
        self.tables.add(table)
        schema = CUSTOMERS if table == CUSTOMERS.name else ORDERS
        column, value = ("name", "raced") if schema is CUSTOMERS else ("status", "raced")
        with tenant_scope(context_of(self.record)):
            for index, row in enumerate(list(self.model.rows[table].values())):
                if index % 7 == 0:
                    self.model.delete(self.dal, schema, row)
                else:
                    self.model.put(self.dal, schema, {**{k: row[k] for k in schema.primary_key}, column: value})


def keyspaces(tenant_id: str, from_tier: str) -> tuple[str, str]:
    silo = silo_keyspace(tenant_id)
    return (POOLED_KEYSPACE, silo) if from_tier == "basic" else (silo, POOLED_KEYSPACE)


@pytest.mark.parametrize("from_tier", ["basic", "premium"], ids=["pool-to-silo", "silo-to-pool"])
def test_migration_with_concurrent_writes_crashes_and_restarts_loses_nothing(
    from_tier: str, cassandra_node: CassandraNode, operator: Session, cassandra: Cassandra, tmp_path: Path
) -> None:
    tenant = new_tenant("mover")
    create_storages(operator, tenant)
    source_ks, target_ks = keyspaces(tenant, from_tier)
    ledger = tmp_path / "ledger.json"
    model = Model()
    port = cassandra_node.native_port
    with dal_for(port, served(tenant, from_tier)) as dal:
        seed(dal, served(tenant, from_tier), model)

    # copying: the DAL writes both storages, reads the source; the tenant keeps writing throughout.
    copying = moving(tenant, from_tier, "copying")
    with dal_for(port, copying) as dal:
        writer = Writer(dal, copying, model)
        writer.start()
        try:
            with pytest.raises(CrashError):  # killed mid-copy, mid-page
                run_migration(copying, cassandra, ledger, page_size=50, on_step=crash_after(70))
            assert ledger.exists()
            # Re-run: resumes from the ledger. Mid-page (rows read, not yet written) the tenant rewrites and deletes
            # rows of the table: the copy of what was read must lose to those newer writes.
            race = Race(dal, copying, model)
            result = run_migration(copying, cassandra, ledger, page_size=50, on_step=race)
        finally:
            operations = writer.finish()
    assert operations > 0
    assert race.tables == {"customers", "orders"}
    assert result.digest is not None and VERIFIED_DIGEST.fullmatch(result.digest)
    # The resumed run did not start over: the crashed run's pages were not copied again.
    assert sum(result.copied.values()) < sum(len(rows) for rows in model.rows.values())

    # After: both storages hold exactly what the tenant wrote (no write lost, nothing deleted comes back).
    expected = {table.name: model.summary(table) for table in TENANT_TABLES}
    assert stored_summaries(cassandra, tenant, source_ks) == expected
    assert stored_summaries(cassandra, tenant, target_ks) == expected
    # (result.summaries is of the moment it verified, with the writer still writing: checked again below.)

    # cutover: crash during verification, re-run re-verifies; reads now come from the target.
    cutover = moving(tenant, from_tier, "cutover", result.digest)
    with pytest.raises(CrashError):
        run_migration(cutover, cassandra, ledger, on_step=crash_after(1))
    again = run_migration(cutover, cassandra, ledger)
    assert again.summaries == expected
    with dal_for(port, cutover) as dal, tenant_scope(context_of(cutover)):
        model.put(dal, CUSTOMERS, customer("after-cutover", "Late"))  # still written to both
        assert dal.customers.get(customer_id="after-cutover") == customer("after-cutover", "Late")
    expected = {table.name: model.summary(table) for table in TENANT_TABLES}
    assert stored_summaries(cassandra, tenant, source_ks) == expected

    # done: crash while emptying the source, re-run: the source is empty, the target untouched.
    done = moving(tenant, from_tier, "done", result.digest)
    with pytest.raises(CrashError):
        run_migration(done, cassandra, ledger, on_step=crash_after(10))
    released = run_migration(done, cassandra, ledger)
    assert set(released.deleted) == {table.name for table in TENANT_TABLES}
    assert all(summary.rows == 0 for summary in stored_summaries(cassandra, tenant, source_ks).values())
    assert stored_summaries(cassandra, tenant, target_ks) == expected
    assert not ledger.exists()
    with dal_for(port, done) as dal, tenant_scope(context_of(done)):
        assert dal.customers.get(customer_id="after-cutover") == customer("after-cutover", "Late")


def test_verification_catches_a_row_altered_behind_the_dals_back(
    cassandra_node: CassandraNode, operator: Session, cassandra: Cassandra, tmp_path: Path
) -> None:
    tenant = new_tenant("corrupt")
    create_storages(operator, tenant)
    model = Model()
    with dal_for(cassandra_node.native_port, served(tenant, "basic")) as dal:
        seed(dal, served(tenant, "basic"), model, customers=20)
    copying = moving(tenant, "basic", "copying")
    result = run_migration(copying, cassandra, tmp_path / "ledger.json", page_size=7)
    assert result.summaries[ORDERS.name].rows == len(model.rows[ORDERS.name])

    silo = silo_keyspace(tenant)
    operator.execute(f"UPDATE {silo}.customers SET name = 'tampered' WHERE customer_id = 'c0005'")
    with pytest.raises(VerificationError, match=r"table 'customers' does not match.*1 rows differ") as caught:
        run_migration(moving(tenant, "basic", "cutover", result.digest), cassandra, tmp_path / "ledger.json")
    assert caught.value.table == "customers"
    # A missing row is caught too (and a re-copy cannot hide a newer tampered cell).
    operator.execute(f"DELETE FROM {silo}.orders WHERE customer_id = 'c0003'")
    (tmp_path / "ledger.json").unlink()
    with pytest.raises(VerificationError, match=r"table 'customers'.*the ledger was reset"):
        run_migration(copying, cassandra, tmp_path / "ledger.json")
    assert not (tmp_path / "ledger.json").exists()
    # The source was never touched.
    assert stored_summaries(cassandra, tenant, POOLED_KEYSPACE)[CUSTOMERS.name] == model.summary(CUSTOMERS)


def test_dual_writes_share_one_timestamp_and_reads_follow_the_state(
    cassandra_node: CassandraNode, operator: Session
) -> None:
    tenant = new_tenant("dual")
    create_storages(operator, tenant)
    silo = silo_keyspace(tenant)
    row = order("c1")
    written_at = (
        f"SELECT WRITETIME(status) AS t FROM {{}}.orders WHERE {{}} customer_id = 'c1' AND order_id = {row['order_id']}"
    )
    copying = moving(tenant, "basic", "copying")
    with dal_for(cassandra_node.native_port, copying) as dal, tenant_scope(context_of(copying)):
        dal.orders.put(row)
    pooled_time = operator.execute(written_at.format(POOLED_KEYSPACE, f"tenant_id = '{tenant}' AND")).one().t
    silo_time = operator.execute(written_at.format(silo, "")).one().t
    assert pooled_time == silo_time > 0

    # Reads: from the source while copying, from the target from cutover on (a row only the target has).
    operator.execute(f"INSERT INTO {silo}.customers (customer_id, name) VALUES ('only-target', 'T')")
    for state, found in (("copying", False), ("cutover", True), ("done", True)):
        record: TenantRecord = moving(tenant, "basic", state)  # type: ignore[arg-type]
        with dal_for(cassandra_node.native_port, record) as dal, tenant_scope(context_of(record)):
            assert (dal.customers.get(customer_id="only-target") is not None) is found, state
            dal.orders.delete(customer_id="c1", order_id=row["order_id"])
            # A delete goes where writes go: both storages until done.
    assert operator.execute(written_at.format(silo, "")).one() is None
    assert operator.execute(written_at.format(POOLED_KEYSPACE, f"tenant_id = '{tenant}' AND")).one() is None


def test_a_tenant_without_a_migration_is_refused(operator: Session, cassandra: Cassandra, tmp_path: Path) -> None:
    with pytest.raises(NotMigratingError, match="has no migration"):
        run_migration(served("acme", "premium"), cassandra, tmp_path / "ledger.json")


def test_a_years_old_cell_is_copied_within_the_timestamps_keyspaces_accepts(
    operator: Session, cassandra: Cassandra, tmp_path: Path
) -> None:
    tenant = new_tenant("old")
    create_storages(operator, tenant)
    operator.execute(
        f"INSERT INTO {POOLED_KEYSPACE}.customers (tenant_id, customer_id, name) VALUES ('{tenant}', 'c1', 'Old') "
        "USING TIMESTAMP 1000"
    )
    before = time.time_ns() // 1000
    run_migration(moving(tenant, "basic", "copying"), cassandra, tmp_path / "ledger.json")
    copied = operator.execute(
        f"SELECT name, WRITETIME(name) AS t FROM {silo_keyspace(tenant)}.customers WHERE customer_id = 'c1'"
    ).one()
    assert copied.name == "Old"
    assert before - TIMESTAMP_PAST_LIMIT < copied.t < before  # inside Keyspaces' window, older than now
