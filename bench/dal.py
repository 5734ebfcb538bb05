"""DAL overhead: ops/s and p99 through the DAL versus the bare driver, same statements, same concurrency.

    .venv/bin/python -m bench.dal [--rounds 30] [--ops 1000] [--concurrency 8]     (make bench-dal)

Starts a local Cassandra 5.0 (local.services.cassandra), bootstraps the tenant schema, then runs the
same workload both ways: half upserts of an order, half reads of an order by its full key, for one
premium and one basic tenant (half of the worker threads each). The bare side opens a session per
tenant as the DAL does, prepares the very statements the DAL prepares (PreparedTable: same text,
same execution profile) and binds the values itself; the DAL side goes through the tenant context,
directory, connection pool, row checks and outage retry. Rounds are short and alternate which side
goes first; the overhead is the median of each round's DAL/bare ratio, so drift on a shared machine
cancels out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cassandra.cluster import Session
from cassandra.query import UNSET_VALUE

from functions.contracts.tables import ORDERS
from functions.dal import TenantContext, TenantDataAccess, TenantDirectory, current_tenant, tenant_scope
from functions.dal.bootstrap import bootstrap
from functions.dal.connection import LocalCassandra, connect
from functions.dal.statements import PreparedTable, client_timestamp
from local.paths import PROJECT_ROOT
from local.services.cassandra import HEAP, CassandraNode

OUT = PROJECT_ROOT / "bench" / ".out"
ROLE = "arn:aws:iam::123456789012:role/bench-{}"
DIRECTORY = {
    "acme": {"tier": "premium", "status": "active", "keyspace": "tenant_acme", "s3Prefix": "tenant=acme/"},
    "globex": {"tier": "basic", "status": "active", "keyspace": "tenants_pool", "s3Prefix": "tenant=globex/"},
}
CONTEXTS = (TenantContext("acme", "premium"), TenantContext("globex", "basic"))

# One operation, given its index in the worker's sequence; the round times each call.
Operation = Callable[[int], None]


def order_row(customer_id: str, i: int) -> dict[str, Any]:
    return {"customer_id": customer_id, "order_id": uuid.uuid1(), "status": "new", "total_cents": i, "currency": "EUR"}


class Workload:
    """Per worker: a customer partition, orders written so far; each op alternates put and get."""

    def __init__(self, worker: int):
        self.context = CONTEXTS[worker % len(CONTEXTS)]
        self.customer_id = f"bench-{worker}-{uuid.uuid4().hex[:8]}"
        self.written: list[uuid.UUID] = []

    def next_row(self, i: int) -> dict[str, Any]:
        row = order_row(self.customer_id, i)
        self.written.append(row["order_id"])
        return row

    def key(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "order_id": self.written[-1]}


def dal_operation(dal: TenantDataAccess, work: Workload) -> Operation:
    def op(i: int) -> None:
        if i % 2 == 0:
            dal.orders.put(work.next_row(i))
        elif dal.orders.get(**work.key()) is None:
            raise AssertionError("a written order was not read back")

    return op


@dataclass(frozen=True)
class BareTenant:
    """What the bare side uses for one tenant: a session opened as the DAL opens it, the same statements."""

    session: Session
    table: PreparedTable
    prefix: tuple[str, ...]  # the tenant id for pooled tables, nothing for a keyspace of its own


def bare_operation(tenants: dict[str, BareTenant], work: Workload) -> Operation:
    """The same statements without the DAL: bind the values in the table's column order, execute."""
    tenant = tenants[work.context.tenant_id]
    session, table, prefix = tenant.session, tenant.table, tenant.prefix
    columns = table.shape.columns

    def op(i: int) -> None:
        if i % 2 == 0:
            row = work.next_row(i)
            session.execute(
                table.insert.bind([*prefix, *(row.get(c, UNSET_VALUE) for c in columns), client_timestamp()])
            )
        else:
            key = work.key()
            if session.execute(table.get.bind([*prefix, key["customer_id"], key["order_id"]])).one() is None:
                raise AssertionError("a written order was not read back")

    return op


def layer_cost_us(dal: TenantDataAccess, context: TenantContext, repeat: int = 20_000) -> dict[str, float]:
    """The DAL's own steps per operation, without I/O: what the bare side does not do, in µs."""
    work = Workload(0)
    row, key = work.next_row(0), work.key()
    with tenant_scope(context):
        connection = dal.connection_for(context)
        shape = connection.reads.table(ORDERS).shape
        steps: dict[str, Callable[[], object]] = {
            "context + directory + session lookup": lambda: dal.connection_for(current_tenant()),
            "prepared table lookup": lambda: connection.reads.table(ORDERS),
            "row checks + binding values (put)": lambda: shape.insert_values(context.tenant_id, row),
            "key checks + binding values (get)": lambda: shape.key_values(context.tenant_id, key, shape.primary_key),
            "outage-retry wrapper": lambda: dal.run(lambda: None, True, context.tenant_id),
        }
        costs = {}
        for name, step in steps.items():
            began = time.perf_counter()
            for _ in range(repeat):
                step()
            costs[name] = 1e6 * (time.perf_counter() - began) / repeat
    return costs


@dataclass
class Round:
    side: str
    ops: int
    seconds: float
    cpu_seconds: float  # this process's CPU (workers and the driver's I/O thread): the client's cost
    latencies_us: list[float]

    @property
    def ops_per_second(self) -> float:
        return self.ops / self.seconds


def run_round(side: str, make_op: Callable[[Workload], Operation], ops: int, concurrency: int) -> Round:
    per_worker = ops // concurrency
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[BaseException] = []
    start_line = threading.Barrier(concurrency + 1)

    def worker(index: int) -> None:
        work = Workload(index)
        op = make_op(work)
        own = latencies[index]
        try:
            with tenant_scope(work.context):  # the bare side ignores it; the DAL side needs it
                start_line.wait()
                for i in range(per_worker):
                    began = time.perf_counter_ns()
                    op(i)
                    own.append((time.perf_counter_ns() - began) / 1000)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    if failures:
        raise failures[0]
    return Round(side, per_worker * concurrency, seconds, cpu_seconds, [x for worker in latencies for x in worker])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarize(rounds: list[Round], side: str) -> dict[str, float]:
    mine = [r for r in rounds if r.side == side]
    latencies = [x for r in mine for x in r.latencies_us]
    return {
        "ops_per_second": sum(r.ops for r in mine) / sum(r.seconds for r in mine),
        "median_round_ops_per_second": statistics.median(r.ops_per_second for r in mine),
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
        "client_cpu_us_per_op": 1e6 * sum(r.cpu_seconds for r in mine) / sum(r.ops for r in mine),
        "ops": sum(r.ops for r in mine),
    }


def benchmark(port: int, rounds: int, ops: int, concurrency: int) -> dict[str, Any]:
    directory = TenantDirectory.from_mapping(
        {tenant: {**entry, "roleArn": ROLE.format(tenant)} for tenant, entry in DIRECTORY.items()}
    )
    # The DAL opens one driver session per tenant (a credential scope each); the bare side does the same,
    # with the DAL's cluster options and execution profile, so only the DAL's own layer differs.
    records = {record.tenant_id: record for record in directory.records()}
    connections = {tenant: connect(LocalCassandra(port), None) for tenant in records}
    try:
        bootstrap(next(iter(connections.values()))[1], directory)
        tenants = {
            tenant: BareTenant(
                session,
                PreparedTable(session, records[tenant].keyspace, ORDERS, records[tenant].pooled),
                (tenant,) if records[tenant].pooled else (),
            )
            for tenant, (_, session) in connections.items()
        }
        with TenantDataAccess.local(directory, port) as dal:
            sides: dict[str, Callable[[Workload], Operation]] = {
                "dal": lambda work: dal_operation(dal, work),
                "bare": lambda work: bare_operation(tenants, work),
            }
            for _ in range(2):  # warm-up: connections, prepared statements, the node's JIT
                for side, make_op in sides.items():
                    run_round(side, make_op, ops, concurrency)
            layer = {c.tenant_id: layer_cost_us(dal, c) for c in CONTEXTS}
            measured: list[Round] = []
            for index in range(rounds):
                order = ("dal", "bare") if index % 2 == 0 else ("bare", "dal")
                for side in order:
                    measured.append(run_round(side, sides[side], ops, concurrency))
                    done = measured[-1]
                    p99 = percentile(done.latencies_us, 0.99)
                    cpu = 1e6 * done.cpu_seconds / done.ops
                    print(
                        f"round {index + 1:2} {side:4}: {done.ops_per_second:7.0f} ops/s "
                        f"p99 {p99:7.0f} µs, client CPU {cpu:5.0f} µs/op",
                        flush=True,
                    )
    finally:
        for cluster, _ in connections.values():
            cluster.shutdown()
    dal_stats, bare_stats = summarize(measured, "dal"), summarize(measured, "bare")
    # Each round's two sides ran back to back: their ratio cancels the drift between rounds.
    pairs = [(measured[i], measured[i + 1]) for i in range(0, len(measured), 2)]
    by_side = [{r.side: r for r in pair} for pair in pairs]
    return {
        "dal": dal_stats,
        "bare": bare_stats,
        "overhead_ops": 1 - dal_stats["ops_per_second"] / bare_stats["ops_per_second"],
        "overhead_paired_median": 1
        - statistics.median(p["dal"].ops_per_second / p["bare"].ops_per_second for p in by_side),
        "p99_ratio": dal_stats["p99_us"] / bare_stats["p99_us"],
        "client_cpu_ratio_paired_median": statistics.median(
            (p["dal"].cpu_seconds / p["dal"].ops) / (p["bare"].cpu_seconds / p["bare"].ops) for p in by_side
        ),
        "p99_ratio_paired_median": statistics.median(
            percentile(p["dal"].latencies_us, 0.99) / percentile(p["bare"].latencies_us, 0.99) for p in by_side
        ),
        "dal_layer_us_per_op": layer,
        "rounds": rounds,
        "ops_per_round": ops,
        "concurrency": concurrency,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "cassandra_heap": HEAP},
    }


def report(result: dict[str, Any]) -> str:
    dal, bare = result["dal"], result["bare"]
    lines = [
        "| | ops/s (all rounds) | median round ops/s | p50 µs | p99 µs (all rounds) | client CPU µs/op |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} | {s['ops_per_second']:.0f} | {s['median_round_ops_per_second']:.0f} | "
            f"{s['p50_us']:.0f} | {s['p99_us']:.0f} | {s['client_cpu_us_per_op']:.0f} |"
            for name, s in (("bare driver", bare), ("DAL", dal))
        ),
        "",
        f"DAL overhead in ops/s: {result['overhead_paired_median']:+.1%} (median of the rounds' paired ratios), "
        f"{result['overhead_ops']:+.1%} (all rounds pooled)",
        f"p99 DAL/bare: {result['p99_ratio_paired_median']:.2f} (median of paired rounds), "
        f"{result['p99_ratio']:.2f} (pooled)",
        f"client CPU per op DAL/bare: {result['client_cpu_ratio_paired_median']:.3f} (median of paired rounds)",
        "",
        "The DAL's own steps per operation, timed without I/O (µs; a put or a get uses all but one row):",
        "",
        "| step | "
        + " | ".join(f"{t} ({'pooled' if t == 'globex' else 'own keyspace'})" for t in result["dal_layer_us_per_op"])
        + " |",
        "|---|" + "---|" * len(result["dal_layer_us_per_op"]),
        *(
            f"| {step} | " + " | ".join(f"{costs[step]:.2f}" for costs in result["dal_layer_us_per_op"].values()) + " |"
            for step in next(iter(result["dal_layer_us_per_op"].values()))
        ),
        "",
        "target overhead <= 5%: " + ("met" if result["overhead_paired_median"] <= 0.05 else "NOT met"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dal", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds per side (interleaved)")
    parser.add_argument("--ops", type=int, default=1000, help="operations per round")
    parser.add_argument("--concurrency", type=int, default=8, help="worker threads, both sides")
    parser.add_argument("--run-dir", type=Path, default=PROJECT_ROOT / ".run" / "bench-dal")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.ops < args.concurrency or args.concurrency < 1:
        parser.error("need rounds >= 1, concurrency >= 1 and ops >= concurrency")
    # A SIGTERM (timeout, CI cancel) unwinds through the `with`, so the node is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with CassandraNode(args.run_dir) as node:
        result = benchmark(node.native_port, args.rounds, args.ops, args.concurrency)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dal.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
