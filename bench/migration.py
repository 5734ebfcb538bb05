"""Migration throughput: rows/s the migration job copies (and verifies) pool -> silo on a local Cassandra,
with the tenant writing concurrently through the DAL, and without, as a ratio measured in one run.

    .venv/bin/python -m bench.migration [--customers 2000] [--rounds 3]     (make bench-migration)

Starts a local Cassandra 5.0, seeds one basic tenant through the DAL (a customer and two orders each),
then runs the job's copy and verification (functions.lifecycle.migrate.run_migration, state `copying`)
into the tenant's own keyspace, emptied before each run, alternately quiet and busy. Busy: a process of
its own writes as the tenant does during a migration (the DAL in state `copying`: every put/delete to both
storages), as fast as it can, one operation at a time. Reported: copy rows/s, copy+verify rows/s, the
writer's ops/s, and the busy/quiet ratio of each round (median over rounds: drift cancels out).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import signal
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from cassandra.cluster import Session

from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.migration import MigrationRecord
from functions.contracts.tables import TENANT_TABLES
from functions.dal import TenantContext, TenantDataAccess, TenantDirectory, tenant_scope
from functions.dal.bootstrap import bootstrap_keyspaces
from functions.dal.connection import LocalCassandra
from functions.lifecycle.migrate import run_migration
from functions.lifecycle.store import Cassandra
from local.paths import PROJECT_ROOT
from local.services.cassandra import HEAP, CassandraNode

OUT = PROJECT_ROOT / "bench" / ".out"
TENANT = "mover"
POOLED_ROLE = "arn:aws:iam::123456789012:role/bench-pooled"
OWN_ROLE = "arn:aws:iam::123456789012:role/bench-mover"
PAGE_SIZE = 500


def record(migration: MigrationRecord | None) -> TenantRecord:
    if migration is None:
        return TenantRecord(TENANT, "basic", "active", POOLED_KEYSPACE, f"tenant={TENANT}/", POOLED_ROLE)
    return TenantRecord(TENANT, "premium", "active", silo_keyspace(TENANT), f"tenant={TENANT}/", OWN_ROLE, migration)


COPYING = record(MigrationRecord("basic", "copying", POOLED_KEYSPACE, POOLED_ROLE, None))


def order(customer_id: str, i: int) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "order_id": uuid.uuid1(),
        "status": "new",
        "total_cents": i,
        "currency": "EUR",
        "items": {"sku-1": 1 + i % 3},
    }


def seed(dal: TenantDataAccess, customers: int, threads: int = 4) -> None:
    def work(part: int) -> None:
        with tenant_scope(TenantContext(TENANT, "basic")):
            for i in range(part, customers, threads):
                customer_id = f"c{i:06d}"
                dal.customers.put({"customer_id": customer_id, "name": f"N{i}", "email": f"n{i}@example.com"})
                dal.orders.put(order(customer_id, i))
                dal.orders.put(order(customer_id, i + 1))

    workers = [threading.Thread(target=work, args=(part,)) for part in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def write_as_the_tenant(port: int, customers: int, stop: Any, ready: Any, ops: Any) -> None:
    """The tenant during the migration, in a process of its own (as its application would be: no shared GIL
    with the job): new orders, updates and deletes through the DAL in state `copying` (both storages)."""
    written: list[dict[str, Any]] = []
    with (
        TenantDataAccess.local(TenantDirectory({TENANT: COPYING}), port) as dal,
        tenant_scope(TenantContext(TENANT, "premium")),
    ):
        dal.customers.get(customer_id="c000000")  # open the sessions before the clock starts
        ready.set()
        i = 0
        while not stop.is_set():
            if i % 4 == 3 and written:
                row = written.pop()
                dal.orders.delete(customer_id=row["customer_id"], order_id=row["order_id"])
            elif i % 4 == 2 and written:
                dal.orders.put({**written[-1], "status": "updated"})
            else:
                row = order(f"c{i % customers:06d}", i)
                dal.orders.put(row)
                written.append(row)
            i += 1
            ops.value = i


def empty_target(session: Session) -> None:
    for table in TENANT_TABLES:
        session.execute(f"TRUNCATE {silo_keyspace(TENANT)}.{table.name}", timeout=120)


def one_run(port: int, session: Session, customers: int, busy: bool, ledger: Path) -> dict[str, float]:
    empty_target(session)
    ledger.unlink(missing_ok=True)
    copy_done = [0.0]

    def mark(table: str, step: int) -> None:
        # Verification calls the hook with the table's index before each table: the first marks copy's end.
        if table == TENANT_TABLES[0].name and step == 0 and copy_done[0] == 0.0 and ledger.exists():
            progress = json.loads(ledger.read_text())["tables"]
            if all(progress.get(t.name, {}).get("done") for t in TENANT_TABLES):
                copy_done[0] = time.perf_counter()

    spawn = multiprocessing.get_context("spawn")
    stop, ready, ops = spawn.Event(), spawn.Event(), spawn.Value("q", 0)
    writer = spawn.Process(target=write_as_the_tenant, args=(port, customers, stop, ready, ops), daemon=True)
    if busy:
        writer.start()
        if not ready.wait(120):
            raise RuntimeError("the tenant's writer process did not start")
    with Cassandra(LocalCassandra(port)) as cassandra:
        started = time.perf_counter()
        before = ops.value
        try:
            result = run_migration(COPYING, cassandra, ledger, page_size=PAGE_SIZE, on_step=mark)
        finally:
            ended = time.perf_counter()
            written = ops.value - before
            stop.set()
            if busy:
                writer.join(60)
    rows = sum(result.copied.values())
    copy_seconds = copy_done[0] - started
    return {
        "rows": rows,
        "copy_rows_per_s": rows / copy_seconds,
        "copy_verify_rows_per_s": rows / (ended - started),
        "writer_ops_per_s": written / (ended - started),
    }


def benchmark(node: CassandraNode, customers: int, rounds: int) -> dict[str, Any]:
    port = node.native_port
    with node.cql() as session:
        bootstrap_keyspaces(session, [POOLED_KEYSPACE, silo_keyspace(TENANT)])
        with TenantDataAccess.local(TenantDirectory({TENANT: record(None)}), port) as dal:
            seed(dal, customers)
        ledger = OUT / "migration-ledger.json"
        OUT.mkdir(parents=True, exist_ok=True)
        one_run(port, session, customers, busy=False, ledger=ledger)  # warm-up: JIT, prepared statements
        quiet, busy, ratios = [], [], []
        for n in range(rounds):
            order_ = (False, True) if n % 2 == 0 else (True, False)
            runs = {b: one_run(port, session, customers, busy=b, ledger=ledger) for b in order_}
            quiet.append(runs[False])
            busy.append(runs[True])
            ratios.append(runs[True]["copy_rows_per_s"] / runs[False]["copy_rows_per_s"])
    ledger.unlink(missing_ok=True)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    return {
        "customers": customers,
        "rounds": rounds,
        "page_size": PAGE_SIZE,
        "quiet": {key: median(quiet, key) for key in quiet[0]},
        "busy": {key: median(busy, key) for key in busy[0]},
        "busy_over_quiet_copy": statistics.median(ratios),
        "ratios": ratios,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "cassandra_heap": HEAP},
    }


def report(result: dict[str, Any]) -> str:
    quiet, busy = result["quiet"], result["busy"]
    return "\n".join(
        [
            f"migration pool -> silo, {quiet['rows']:.0f} rows, page {result['page_size']}, "
            f"median of {result['rounds']} rounds:",
            f"  quiet: copy {quiet['copy_rows_per_s']:,.0f} rows/s, copy+verify {quiet['copy_verify_rows_per_s']:,.0f}",
            f"  busy:  copy {busy['copy_rows_per_s']:,.0f} rows/s, copy+verify {busy['copy_verify_rows_per_s']:,.0f}"
            f" rows/s, the tenant writing {busy['writer_ops_per_s']:,.0f} ops/s (dual writes)",
            f"  busy/quiet copy throughput: {result['busy_over_quiet_copy']:.2f} "
            f"(rounds: {', '.join(f'{r:.2f}' for r in result['ratios'])})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.migration", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000, help="seeded customers (3 rows each)")
    parser.add_argument("--rounds", type=int, default=3, help="quiet/busy pairs, alternating which goes first")
    parser.add_argument("--run-dir", type=Path, default=PROJECT_ROOT / ".run" / "bench-migration")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.rounds < 1:
        parser.error("need customers >= 1 and rounds >= 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with CassandraNode(args.run_dir) as node:
        result = benchmark(node, args.customers, args.rounds)
    (OUT / "migration.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
