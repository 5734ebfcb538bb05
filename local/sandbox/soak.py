"""`make soak`: the local stack under sustained, bounded load while faults are injected, and what came of it.

    python -m local.sandbox.soak [--stack dev] [--events 50000] [--run-dir DIR] [--json FILE]

The same stack as `make demo` (the program's declaration on moto, the real authorizer and mapping template
in the front door, the Flink job as deployed, Cassandra through the DAL). While every served tenant posts
events (mixed good and bad) and a tenant service writes orders through the DAL:
- the Flink job is killed mid-stream (SIGKILL: no flush, no cancel) and resumed from its newest complete
  checkpoint, as Managed Service for Apache Flink restores a failed application from its latest snapshot;
- Cassandra is restarted while the DAL writes.
The report: events accepted, landed, rejected, refused, lost (must be 0), duplicates and their bound, the
latency from the front door's answer to the record's landing (p50/p99), the recovery time of each fault, and
whether the job's per-tenant metering adds up, exactly, to what landed and was rejected per tenant.

Why duplicates can occur: the Firehose sink is at-least-once. Records the killed job wrote after its last
completed checkpoint are read again from the stream after the restore and written a second time. So the
duplicates are bounded by what landed between that checkpoint and the kill (plus one poll of slack).

Why the metering has none: its sink is exactly-once (docs/design.md "Metering"). The job's windows are short here
(METERING_OVERRIDES: many close before the kill, some are open across it) and the run ends with a drain, which
closes the last ones; the rows the table holds, summed per tenant, must equal what landed and what was rejected
per tenant, each event counted once however often the at-least-once sinks delivered it (local/sandbox/metering.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from functions.contracts.cli import run_command
from functions.contracts.directory import TenantRecord
from functions.contracts.flink_properties import METERING_GROUP, METERING_WINDOW_KEY, WATERMARK_DELAY_KEY
from functions.dal import TenantContext, TenantDataAccess, tenant_scope
from functions.flink.checkpoints import LocalCheckpoints, latest_checkpoint
from local.environment import read_environment
from local.errors import EXPECTED_FAILURES
from local.paths import BUILD_DIR
from local.sandbox.declared import DeclaredStack, DeliveryStream, read_declaration
from local.sandbox.delivery import deliver
from local.sandbox.demo import (
    Steps,
    authorizer_handler,
    create_declared_schema,
    declared_front_door,
    start_cassandra,
    start_local_cloud,
    tenant_dal,
)
from local.sandbox.firehose_buffer import BUFFER_BUCKET, split_records
from local.sandbox.flink_stage import FlinkJob
from local.sandbox.front_door import FrontDoorServer
from local.sandbox.local_cloud import LocalCloud
from local.sandbox.metering import ExpectedUsage, MeteringTable, Usage, mismatches, usage_by_tenant
from local.sandbox.run_log import LOG_NAME, python_log
from local.sandbox.traffic import post_answer, undeliverable_body
from local.services.cassandra import CassandraNode
from local.services.moto_server import kinesis_write

POLL_SECONDS = 0.5
# The deployed window is the hour (the contract); a soak of minutes uses windows of seconds, so that windows close
# before the kill, others are open across it, and records come late (behind the watermark) after the restore.
METERING_WINDOW_SECONDS = 10
METERING_WATERMARK_DELAY_SECONDS = 2
METERING_OVERRIDES = {
    METERING_GROUP: {
        METERING_WINDOW_KEY: str(METERING_WINDOW_SECONDS),
        WATERMARK_DELAY_KEY: str(METERING_WATERMARK_DELAY_SECONDS),
    }
}


@dataclass(frozen=True)
class SoakSettings:
    stack: str = "dev"
    events: int = 50_000  # requests to the front door, across every served tenant
    senders: int = 8  # concurrent clients
    invalid_every: int = 20  # every n-th request has a body the API refuses (400)
    forged_every: int = 25  # every n-th body names another tenant (must land under the sender's)
    direct_every: int = 500  # one record straight to the stream per n requests (the job rejects it)
    # Every n-th request (offset by a quarter) is an event the API takes and the job rejects: past Firehose's
    # record limit once enriched (about 1 MB; a metered reject of the tenant that sent it).
    undeliverable_every: int = 1_000
    checkpoint_interval_ms: int = 2_000
    kill_flink_at: float = 0.4  # fraction of the requests sent when the Flink job is killed
    restart_cassandra_at: float = 0.6
    drain_timeout: float = 900.0  # seconds after the last request for every accepted event to land
    run_dir: Path | None = None


@dataclass
class Accepted:
    tenant_id: str
    at: float  # monotonic time of the front door's 200


@dataclass
class FaultReport:
    fault: str
    at: float  # seconds since the load started
    recovery_seconds: float | None  # until the part worked again (None: it never did)


@dataclass
class SoakResult:
    sent: int = 0
    accepted: int = 0
    refused: Counter[int] = field(default_factory=Counter)  # front door status -> count
    landed: int = 0  # distinct accepted events found in their tenant's prefix
    duplicates: int = 0  # further copies of landed events and of rejected records
    duplicate_bound: int = 0
    rejected: int = 0  # distinct records the job rejected (the direct producer's, the undeliverable events)
    direct: int = 0  # records written straight to the stream
    undeliverable: int = 0  # accepted events the job must reject (over Firehose's record limit once enriched)
    misplaced: int = 0  # events that landed under a tenant other than their sender
    lost: int = 0  # accepted events that never landed
    latency_ms: dict[str, float] = field(default_factory=dict)
    faults: list[FaultReport] = field(default_factory=list)
    dal_writes: int = 0
    dal_rows_lost: int = 0
    landing_errors: int = 0  # failed rounds of reading moto's Firehose buffer, each retried
    metering: dict[str, Usage] = field(default_factory=dict)  # tenant -> the metering table's rows, summed
    metering_expected: dict[str, Usage] = field(default_factory=dict)  # tenant -> what landed and was rejected
    metering_rows: int = 0
    metering_rows_at_kill: int = 0  # rows visible (committed) when the job was killed: restored, not written again

    @property
    def metering_holds(self) -> bool:
        """The metering table, summed per tenant, equals what landed and was rejected per tenant, exactly."""
        return bool(self.metering_expected) and not mismatches(self.metering, self.metering_expected)

    @property
    def ok(self) -> bool:
        recovered = all(fault.recovery_seconds is not None for fault in self.faults)
        return (
            self.lost == 0
            and self.misplaced == 0
            and self.dal_rows_lost == 0
            and self.rejected == self.direct + self.undeliverable
            and self.duplicates <= self.duplicate_bound
            and self.metering_holds
            and recovered
        )

    def line(self) -> str:
        refused = sum(self.refused.values())
        faults = " ".join(f"{f.fault}_recovery={_seconds(f.recovery_seconds)}" for f in self.faults)
        return (
            f"sent={self.sent} accepted={self.accepted} landed={self.landed} refused={refused} "
            f"rejected={self.rejected} duplicates={self.duplicates} (bound {self.duplicate_bound}) "
            f"p50={self.latency_ms.get('p50', 0):.0f}ms p99={self.latency_ms.get('p99', 0):.0f}ms {faults} "
            f"dal_rows_lost={self.dal_rows_lost} lost={self.lost} "
            f"metering={self.metered('accepted')}/{self.metered('rejected')}/{self.metered('bytes')} "
            f"(accepted/rejected/bytes, {self.metering_rows} rows) holds={self.metering_holds}"
        )

    def metered(self, count: str) -> int:
        return sum(getattr(usage, count) for usage in self.metering.values())


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}s"


class Landings:
    """Watches what the Flink job writes to the delivery streams (moto buffers it in a bucket) and lands it
    through the declared partitioning, noting when each accepted event was first seen and how often."""

    def __init__(self, cloud: LocalCloud, stack: DeclaredStack):
        self.s3 = cloud.client("s3")
        self.stack = stack
        self.seen_keys: set[str] = set()
        self.first_seen: dict[str, float] = {}  # requestId -> monotonic time
        self.sightings: Counter[str] = Counter()
        self.tenant_of: dict[str, str] = {}  # requestId -> tenantId the record carries
        self.rejected: Counter[str] = Counter()  # the rejected raw record -> how often it was rejected
        self.reject_first_seen: dict[str, float] = {}
        self.metering = ExpectedUsage()  # what the job's metering must add up to, each record counted once
        self.errors: list[str] = []  # failed rounds (moto busy, ...): retried on the next one
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-landings", daemon=True)

    def start(self) -> Landings:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=60)
        self.poll()  # what arrived since the last round

    def _run(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            try:
                self.poll()
            except Exception as error:  # a round that failed is retried: nothing is marked seen before it lands
                self.errors.append(repr(error))

    def poll(self) -> None:
        with self.lock:
            for stream in (*self.stack.event_streams, self.stack.rejects):
                fresh = self._new_records(stream.name)
                if not fresh:
                    continue
                now = time.monotonic()
                if stream is self.stack.rejects:
                    for raw in fresh:
                        reject = json.loads(raw)
                        line = str(reject["record"])
                        self.rejected[line] += 1
                        self.reject_first_seen.setdefault(line, now)
                        self.metering.rejected(reject)
                else:
                    for raw in fresh:
                        record = json.loads(raw)
                        request_id = str(record["requestId"])
                        self.first_seen.setdefault(request_id, now)
                        self.sightings[request_id] += 1
                        self.tenant_of[request_id] = str(record["tenantId"])
                        self.metering.landed(raw)
                self._deliver(stream, fresh)

    def _deliver(self, stream: DeliveryStream, records: list[bytes], attempts: int = 5) -> None:
        """Into the ingest bucket as the declared partitioning says; retried, as Firehose retries S3."""
        for attempt in range(attempts):
            try:
                deliver(stream, records, self.s3, self.stack.bucket)
                return
            except Exception as error:  # moto answering 500 under load
                self.errors.append(repr(error))
                time.sleep(0.5 * (attempt + 1))
        raise RuntimeError(f"could not deliver {len(records)} records to {self.stack.bucket}")

    def _new_records(self, stream: str) -> list[bytes]:
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUFFER_BUCKET, Prefix=f"{stream}/"):
            keys += [item["Key"] for item in page.get("Contents", []) if item["Key"] not in self.seen_keys]
        records: list[bytes] = []
        for key in sorted(keys):
            records += split_records(self.s3.get_object(Bucket=BUFFER_BUCKET, Key=key)["Body"].read())
        self.seen_keys.update(keys)  # only once every object of the round was read
        return records

    def landed_since(self, start: float, end: float) -> int:
        """Records (enriched or rejected) first written between `start` and `end`."""
        with self.lock:
            seen = (*self.first_seen.values(), *self.reject_first_seen.values())
            return sum(1 for at in seen if start <= at <= end)

    def first_landing_after(self, moment: float) -> float | None:
        with self.lock:
            return min((at for at in self.first_seen.values() if at > moment), default=None)


class OrderWriter(threading.Thread):
    """A tenant service: writes orders through the DAL for every served tenant, one after another."""

    def __init__(self, dal: TenantDataAccess, tenants: list[TenantRecord], pause: float = 0.2):
        super().__init__(name="soak-dal-writer", daemon=True)
        self.dal, self.tenants, self.pause = dal, tenants, pause
        self.written: list[tuple[TenantRecord, str, uuid.UUID, float]] = []  # ..., monotonic time done
        self.failure: BaseException | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                for tenant in self.tenants:
                    customer_id, order_id = f"soak-{tenant.tenant_id}", uuid.uuid1()
                    with tenant_scope(TenantContext(tenant.tenant_id, tenant.tier)):
                        self.dal.orders.put({"customer_id": customer_id, "order_id": order_id, "status": "new"})
                    self.written.append((tenant, customer_id, order_id, time.monotonic()))
                time.sleep(self.pause)
        except BaseException as error:  # reported by finish()
            self.failure = error

    def first_write_after(self, moment: float) -> float | None:
        return next((done for *_, done in self.written if done > moment), None)

    def finish(self) -> list[tuple[TenantRecord, str, uuid.UUID, float]]:
        self.stopping.set()
        self.join(timeout=300)
        if self.failure is not None:
            raise self.failure
        return self.written


def missing_rows(dal: TenantDataAccess, written: list[tuple[TenantRecord, str, uuid.UUID, float]]) -> int:
    missing = 0
    for tenant, customer_id, order_id, _ in written:
        with tenant_scope(TenantContext(tenant.tenant_id, tenant.tier)):
            missing += dal.orders.get(customer_id=customer_id, order_id=order_id) is None
    return missing


def is_undeliverable(n: int, settings: SoakSettings) -> bool:
    return n % settings.undeliverable_every == settings.undeliverable_every // 4


def direct_record(n: int) -> bytes:
    """A record a misbehaving producer writes straight to the stream: not JSON, so the job rejects it.
    Each is distinct, so a reject replayed after the restore counts as a duplicate, not as another reject."""
    return f"not json {n}".encode()


def event_body(n: int, tenant_id: str, other: str, settings: SoakSettings) -> str:
    if n % settings.invalid_every == settings.invalid_every - 1:
        return "{not json" if n % 2 else json.dumps([n])  # 400 at the front door
    body: dict[str, Any] = {"type": "soak", "sequence": n, "sentBy": tenant_id}
    if n % settings.forged_every == settings.forged_every - 1:
        body["tenantId"] = other
    return json.dumps(body)


def run_soak(settings: SoakSettings, console: Console) -> SoakResult:
    run_dir = settings.run_dir or BUILD_DIR / "soak" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[dim]run directory: {run_dir} (Python's log records: {LOG_NAME})[/]")
    steps = Steps(console)
    result = SoakResult()
    with ExitStack() as services:
        services.enter_context(python_log(run_dir))
        with steps.step(f"Reading stack {settings.stack!r} from the program under mocks"):
            read = read_environment(settings.stack, purpose="soaked")
            stack = read_declaration(read.declaration, read.config.region)
        served = [t for t in stack.tenants if t.active]
        node, cassandra_thread, cassandra_errors = start_cassandra(run_dir)
        services.callback(node.stop)
        with steps.step("Starting moto and creating the declared resources"):
            moto, cloud = start_local_cloud(stack, run_dir, services)
        checkpoints = LocalCheckpoints(run_dir / "checkpoints", settings.checkpoint_interval_ms)
        with steps.step(
            f"Starting the Flink job as deployed, checkpointing every {settings.checkpoint_interval_ms} ms"
        ):
            job = FlinkJob(stack.flink_properties, moto.endpoint, run_dir, checkpoints, overrides=METERING_OVERRIDES)
            jobs = [job.start()]

            def stop_current_job() -> None:  # the job running at the end: the resumed one after the crash
                jobs[-1].stop()

            services.callback(stop_current_job)
        with steps.step("Waiting for Cassandra and creating the declared keyspaces and tables"):
            create_declared_schema(node, cassandra_thread, cassandra_errors, stack)
            # Long enough to ride through a restart of the node on a busy machine (the DAL's default is 30 s).
            dal = tenant_dal(stack.directory, node.native_port, stack.region, outage_deadline=300.0)
            services.callback(dal.close)

        with steps.step("Waiting for the job to run (its first complete checkpoint)"):
            wait_for(lambda: latest_checkpoint(checkpoints.directory) is not None, "the job's first checkpoint", 600)
        landings = Landings(cloud, stack).start()
        metering_table, s3 = MeteringTable.declared(read.declaration), cloud.client("s3")
        writer = OrderWriter(dal, served)
        accepted: dict[str, Accepted] = {}
        undeliverable: set[str] = set()  # requestIds of accepted events the job must reject
        with steps.step(f"Sending {settings.events} events with both faults injected"):
            load_started = time.monotonic()
            writer.start()
            authorize = authorizer_handler(stack, cloud, run_dir / "authorizer.log")
            with FrontDoorServer(declared_front_door(stack, cloud, authorize)) as server:
                tokens = {t.tenant_id: cloud.id_token(t.tenant_id) for t in served}
                faults = FaultInjector(
                    settings,
                    jobs=jobs,
                    node=node,
                    landings=landings,
                    writer=writer,
                    started=load_started,
                    result=result,
                    metering_rows=lambda: len(metering_table.rows(s3)),
                )
                kinesis = cloud.client("kinesis")
                lock = threading.Lock()

                def send(n: int) -> None:
                    tenant = served[n % len(served)]
                    other = served[(n + 1) % len(served)].tenant_id
                    too_large = is_undeliverable(n, settings)
                    body = undeliverable_body() if too_large else event_body(n, tenant.tenant_id, other, settings)
                    status, answer = post_answer(server.url, tokens[tenant.tenant_id], body)
                    with lock:
                        result.sent += 1
                        if status == 200 and too_large:
                            undeliverable.add(str(answer["requestId"]))
                        elif status == 200:
                            accepted[str(answer["requestId"])] = Accepted(tenant.tenant_id, time.monotonic())
                        else:
                            result.refused[status] += 1
                        if n % settings.direct_every == 0:
                            kinesis_write(
                                kinesis.put_record,
                                StreamName=stack.stream_name,
                                Data=direct_record(n),
                                PartitionKey=f"d{n}",
                            )
                            result.direct += 1
                    faults.maybe_inject(n)

                with ThreadPoolExecutor(max_workers=settings.senders) as pool:
                    list(pool.map(send, range(settings.events)))
            faults.wait()
        result.accepted = len(accepted)
        result.undeliverable = len(undeliverable)
        to_reject = result.direct + result.undeliverable

        with steps.step(f"Waiting for every accepted event ({len(accepted)}) to land, {to_reject} to be rejected"):
            deadline = time.monotonic() + settings.drain_timeout
            while not set(accepted) <= set(landings.first_seen) or len(landings.rejected) < to_reject:
                jobs[-1].check_alive()
                if not landings.thread.is_alive() or time.monotonic() > deadline:
                    break
                time.sleep(1)
            landings.stop()
            result.landing_errors = len(landings.errors)
        with steps.step("Draining the Flink job: its open metering windows close and their rows are committed"):
            jobs[-1].drain()
        with steps.step("Reading the metering table and summing it per tenant, as billing does"):
            rows = metering_table.rows(s3)
            result.metering_rows = len(rows)
            result.metering = usage_by_tenant(rows)
            result.metering_expected = landings.metering.usage
        with steps.step("Checking the DAL's rows after the Cassandra restart"):
            written = writer.finish()
            result.dal_writes = len(written)
            result.dal_rows_lost = missing_rows(dal, written)

    account(result, accepted, landings, faults)
    return result


class FaultInjector:
    """Kills the Flink job and restarts Cassandra once each, in the background, when the load reaches them."""

    def __init__(
        self,
        settings: SoakSettings,
        *,
        jobs: list[FlinkJob],
        node: CassandraNode,
        landings: Landings,
        writer: OrderWriter,
        started: float,
        result: SoakResult,
        metering_rows: Callable[[], int],
    ):
        self.settings, self.jobs, self.node, self.landings, self.writer = settings, jobs, node, landings, writer
        self.started, self.result, self.metering_rows = started, result, metering_rows
        self.kill_at = int(settings.events * settings.kill_flink_at)
        self.restart_at = int(settings.events * settings.restart_cassandra_at)
        self.threads: list[threading.Thread] = []
        self.kill_time: float | None = None
        self.checkpoint_time: float | None = None

    def maybe_inject(self, n: int) -> None:
        for at, fault in ((self.kill_at, self.crash_flink), (self.restart_at, self.restart_cassandra)):
            if n == at:
                thread = threading.Thread(target=fault, name=f"soak-fault-{at}", daemon=True)
                thread.start()
                self.threads.append(thread)

    def crash_flink(self) -> None:
        job = self.jobs[-1]
        checkpoints = job.checkpoints
        assert checkpoints is not None
        wait_for(lambda: latest_checkpoint(checkpoints.directory) is not None, "a first complete checkpoint")
        latest = latest_checkpoint(checkpoints.directory)
        assert latest is not None
        # Wall-clock mtime to the monotonic clock the landings use.
        self.checkpoint_time = time.monotonic() - (time.time() - (latest / "_metadata").stat().st_mtime)
        self.result.metering_rows_at_kill = self.metering_rows()
        self.kill_time = time.monotonic()
        job.kill()
        self.jobs.append(job.resumed())
        self._recovered("flink", self.kill_time, lambda: self.landings.first_landing_after(self.kill_time or 0))

    def restart_cassandra(self) -> None:
        stopped = time.monotonic()
        self.node.restart()
        back = time.monotonic()  # writes finishing before the node went down do not count as recovered
        self._recovered("cassandra", stopped, lambda: self.writer.first_write_after(back))

    def _recovered(self, fault: str, since: float, first_after: Callable[[], float | None]) -> None:
        deadline = time.monotonic() + 600
        while (back := first_after()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        self.result.faults.append(FaultReport(fault, since - self.started, None if back is None else back - since))

    def wait(self) -> None:
        for thread in self.threads:
            thread.join(timeout=900)

    def duplicate_bound(self) -> int:
        """What the killed job wrote between its last checkpoint and its death (one poll of slack each side)."""
        if self.kill_time is None or self.checkpoint_time is None:
            return 0
        return self.landings.landed_since(self.checkpoint_time - POLL_SECONDS, self.kill_time + 2 * POLL_SECONDS)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def account(result: SoakResult, accepted: dict[str, Accepted], landings: Landings, faults: FaultInjector) -> None:
    landed = [request_id for request_id in accepted if request_id in landings.first_seen]
    result.landed = len(landed)
    result.lost = result.accepted - result.landed
    result.misplaced = sum(landings.tenant_of[r] != accepted[r].tenant_id for r in landed)
    result.duplicates = sum(landings.sightings[r] - 1 for r in landed)
    result.duplicate_bound = faults.duplicate_bound()
    result.rejected = len(landings.rejected)
    result.duplicates += sum(landings.rejected.values()) - len(landings.rejected)
    latencies = sorted((landings.first_seen[r] - accepted[r].at) * 1000 for r in landed)
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        result.latency_ms = {"p50": cuts[49], "p99": cuts[98], "max": latencies[-1]}


def render(result: SoakResult) -> Table:
    table = Table(
        title="Soak: the pipeline under load, with a Flink crash and a Cassandra restart", title_justify="left"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    refused = ", ".join(f"{status}: {count}" for status, count in sorted(result.refused.items())) or "0"
    rows = [
        ("requests sent", f"{result.sent:,}"),
        ("accepted (200)", f"{result.accepted:,}"),
        ("refused at the front door", refused),
        ("landed in their tenant's prefix", f"{result.landed:,}"),
        ("misplaced", str(result.misplaced)),
        (
            "rejected by the job (of records straight to the stream + undeliverable events)",
            f"{result.rejected} of {result.direct} + {result.undeliverable}",
        ),
        (
            "duplicates (at-least-once sink, replayed after the restore)",
            f"{result.duplicates} (bound {result.duplicate_bound})",
        ),
        (
            "latency accept -> landing p50 / p99 / max",
            " / ".join(f"{result.latency_ms.get(k, 0):,.0f} ms" for k in ("p50", "p99", "max")),
        ),
        *((f"{f.fault}: fault at {f.at:.0f}s, recovered after", _seconds(f.recovery_seconds)) for f in result.faults),
        ("DAL writes through the restart / rows lost", f"{result.dal_writes} / {result.dal_rows_lost}"),
        ("lost", str(result.lost)),
        (
            "metering: accepted / rejected / bytes (rows)",
            f"{result.metered('accepted'):,} / {result.metered('rejected'):,} / {result.metered('bytes'):,} "
            f"({result.metering_rows} rows, {result.metering_rows_at_kill} visible at the kill)",
        ),
        ("metering equals what landed and was rejected, per tenant", "yes" if result.metering_holds else "NO"),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.sandbox.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--events", type=int, default=SoakSettings.events)
    parser.add_argument("--senders", type=int, default=SoakSettings.senders)
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=150)
    settings = SoakSettings(stack=args.stack, events=args.events, senders=args.senders, run_dir=args.run_dir)
    result = run_soak(settings, console)
    console.print(render(result))
    if args.json:
        # asdict would rebuild the Counter from (key, value) pairs: the refusals go as a plain mapping.
        document = asdict(result) | {
            "refused": {str(k): v for k, v in result.refused.items()},
            "meteringHolds": result.metering_holds,
            "ok": result.ok,
        }
        args.json.write_text(json.dumps(document, indent=2, default=str))
    if not result.metering_holds:
        console.print(f"[bold red]metering differs: {mismatches(result.metering, result.metering_expected)}[/]")
    console.print(result.line(), soft_wrap=True)  # one line: what scripts and tests read
    return 0 if result.ok else 1


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
