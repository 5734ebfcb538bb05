"""Records per second through the local Flink job: pass-through, SQL path (without and with the per-tenant
metering) and Python-UDF path, one run.

  .venv-flink/bin/python -m bench.flink [--records 1000000] [--paths passthrough,sql,sql+metering,udf] [--repeat 1]

Writes N Kinesis records (9 in 10 good, the rest bad in several ways) to bench/.out/, runs the local
job (file -> job -> files, parallelism 1) once per path in one JVM, checks records in = enriched +
rejected, and prints a table. `passthrough` is the limit of this runtime: the same source, sinks and
parallelism, every line copied to the enriched sink untouched. A warm-up run of each on a small file
first keeps JVM start-up out of the numbers.

Two measures per path. Wall: the whole run over N records, including what each job does once (plan,
compile its generated code, deploy its task: ~1-1.5 s here, more for the SQL and UDF jobs than for the
pass-through). Steady: records per second once the job runs, (N - n) / (t(N) - t(n)) from a second
run over the first n = N/5 records, which is what a streaming job that runs for days sustains. The
targets are throughput ratios; both are printed.

Task CPU: on a shared machine the wall rates move with the other processes' load, so the bench also reads
the CPU time of the job's task thread (Linux /proc: the thread running the source and every operator chained
to it, which on these paths is all the per-record work; not the JIT compiler's or the garbage collector's
threads), steady as above, in microseconds per record. The Python-UDF path does its work in Python workers
outside that thread: no CPU figure for it. `--repeat K` runs every path K times, interleaved; the medians are
printed.

`sql+metering` is the deployed job as configured on AWS: the SQL path plus the metering (an hour's tumbling
window per tenant and tier by receivedAt, 60 s watermark delay, the rows to files: functions/flink/metering.py);
its run checks that the rows sum to what was enriched and rejected. Its goal: at most 10 % below `sql`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from functions.contracts.metering import WINDOW_SECONDS
from functions.flink.local import ENRICHED_DIR, METERING_DIR, REJECTED_DIR, job_jar, read_output, run_local
from functions.flink.metering import DEFAULT_WATERMARK_DELAY_SECONDS
from functions.flink.pipeline import ENRICHED_TABLE, SOURCE_TABLE, create_table_env
from functions.flink.tables import FileSink, FileSource

OUT = Path(__file__).resolve().parent / ".out"


def make_records(path: Path, count: int) -> None:
    # The third is attributed to its tenant (and metered as its reject, on time); the others name no valid tenant.
    bad = [
        "not json",
        '{"tenantId": "Bad", "payload": {}}',
        '{"tenantId": "acme", "receivedAt": %d, "payload": [1]}',
        '{"payload": {}}',
    ]
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            if index % 10 == 9:
                line = bad[(index // 10) % len(bad)]
                out.write((line % (1763800000000 + index) if "%d" in line else line) + "\n")
                continue
            record = {
                "tenantId": f"tenant-{index % 50}",
                "tier": "premium" if index % 3 else "basic",
                "requestId": f"req-{index}",
                "receivedAt": 1763800000000 + index,
                "payload": {"orderId": index, "items": [{"sku": "A-1", "qty": 2}], "note": "bench"},
            }
            out.write(json.dumps(record) + "\n")


def count_lines(directory: Path) -> int:
    return len(read_output(directory))


PATHS = ("passthrough", "sql", "sql+metering", "udf")
METERED = "sql+metering"


def run_passthrough(records: Path, out: Path) -> None:
    """The job's source and sinks with no transformation: every record to the enriched sink as is."""
    for name in (ENRICHED_DIR, REJECTED_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
        (out / name).mkdir(parents=True)
    t_env = create_table_env([job_jar()])  # the same environment as the job's (its jar loaded)
    t_env.execute_sql(FileSource(str(records.resolve())).ddl(SOURCE_TABLE))
    t_env.execute_sql(FileSink(str((out / ENRICHED_DIR).resolve())).ddl(ENRICHED_TABLE))
    t_env.execute_sql(f"INSERT INTO {ENRICHED_TABLE} SELECT line FROM {SOURCE_TABLE}").wait()


TASK_THREAD = "Source: kinesis"  # the task thread's name, as Linux keeps it (15 characters)
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class TaskCpu:
    """The CPU seconds of the job's task threads (the JVM is this process's child), polled from /proc: a thread's
    figure is gone once its job ends, so its last reading stands (20 ms of slack)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}  # thread id -> CPU seconds last read
        self.stopping = threading.Event()
        self.available = Path("/proc/self/task").is_dir()
        if self.available:
            threading.Thread(target=self._run, name="bench-task-cpu", daemon=True).start()

    def _run(self) -> None:
        while not self.stopping.wait(0.02):
            self.poll()

    def poll(self) -> None:
        for jvm in _children():
            try:
                threads = os.listdir(f"/proc/{jvm}/task")
            except OSError:
                continue
            for thread in threads:
                try:
                    stat = Path(f"/proc/{jvm}/task/{thread}/stat").read_text()
                except OSError:
                    continue
                name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
                if name.startswith(TASK_THREAD):
                    self.seconds[f"{jvm}/{thread}"] = (int(fields[11]) + int(fields[12])) / TICKS

    def measure(self, run: Callable[[], object]) -> float | None:
        """The CPU seconds the task threads started by `run` spent."""
        if not self.available:
            run()
            return None
        known = set(self.seconds)
        run()
        time.sleep(0.05)
        self.poll()
        return sum(seconds for thread, seconds in self.seconds.items() if thread not in known)


def _children() -> list[int]:
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


@dataclass
class Measure:
    seconds: float
    cpu: float | None  # task-thread CPU seconds (None: not measured)


def timed_run(records: Path, path: str, count: int, cpu: TaskCpu | None = None) -> Measure:
    timer: dict[str, float] = {}

    def run() -> None:
        timer["seconds"] = _timed_run(records, path, count)

    if cpu is None:
        run()
        return Measure(timer["seconds"], None)
    used = cpu.measure(run)
    return Measure(timer["seconds"], used if path != "udf" else None)


def _timed_run(records: Path, path: str, count: int) -> float:
    out = OUT / f"out-{path}"
    started = time.perf_counter()
    if path == "passthrough":
        run_passthrough(records, out)
    elif path == METERED:
        run_local(
            records,
            out,
            "sql",
            metering_window_seconds=WINDOW_SECONDS,
            watermark_delay_seconds=DEFAULT_WATERMARK_DELAY_SECONDS,
        )
    else:
        run_local(records, out, path)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    enriched, rejected = count_lines(out / ENRICHED_DIR), count_lines(out / REJECTED_DIR)
    if enriched + rejected != count:
        raise AssertionError(f"{path}: {enriched} + {rejected} records out, {count} in")
    if path == METERED:
        check_metering(out, enriched, rejected_for_a_tenant(out))
    return seconds


def rejected_for_a_tenant(out: Path) -> int:
    return sum(1 for line in read_output(out / REJECTED_DIR) if json.loads(line)["receivedAt"] is not None)


def check_metering(out: Path, enriched: int, rejected: int) -> None:
    """The metering rows add up to what the same run enriched and rejected for a tenant."""
    rows = [json.loads(line) for line in read_output(out / METERING_DIR)]
    metered = (sum(row["accepted"] for row in rows), sum(row["rejected"] for row in rows))
    if metered != (enriched, rejected):
        raise AssertionError(f"metering counted {metered} (accepted, rejected), the run {(enriched, rejected)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--paths", default=",".join(PATHS), help=f"some of {', '.join(PATHS)}, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="run every path this many times (medians printed)")
    args = parser.parse_args()
    paths = [path for path in args.paths.split(",") if path]
    if not paths or not set(paths) <= set(PATHS):
        parser.error(f"--paths: some of {', '.join(PATHS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    records, warmup, first = OUT / "records.ndjson", OUT / "warmup.ndjson", OUT / "first.ndjson"
    short = args.records // 5
    make_records(records, args.records)
    make_records(warmup, 1000)
    make_records(first, short)  # the first records of `records`: the same lines
    cpu = TaskCpu()
    for path in paths:
        timed_run(warmup, path, 1000)
    runs: dict[str, list[tuple[Measure, Measure]]] = {path: [] for path in paths}
    for _ in range(max(1, args.repeat)):
        for path in paths:
            runs[path].append((timed_run(first, path, short, cpu), timed_run(records, path, args.records, cpu)))
    cpu.stopping.set()
    wall = {path: statistics.median(whole.seconds for _, whole in done) for path, done in runs.items()}
    steady = {
        path: statistics.median((args.records - short) / (whole.seconds - part.seconds) for part, whole in done)
        for path, done in runs.items()
    }
    task_us = {  # steady task-thread CPU per record, microseconds
        path: statistics.median(
            (whole.cpu - part.cpu) / (args.records - short) * 1e6
            for part, whole in done
            if part.cpu is not None and whole.cpu is not None
        )
        for path, done in runs.items()
        if all(part.cpu is not None and whole.cpu is not None for part, whole in done)
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"records: {args.records} ({records.stat().st_size / 1e6:.0f} MB), parallelism 1; steady from {short}; "
        f"runs per path: {max(1, args.repeat)} (medians)"
    )
    print("| path | wall seconds | wall records/s | steady records/s | steady task CPU us/record |")
    print("|---|---|---|---|---|")
    for path, seconds in wall.items():
        per_record = f"{task_us[path]:.2f}" if path in task_us else "n/a"
        print(f"| {path} | {seconds:.1f} | {args.records / seconds:,.0f} | {steady[path]:,.0f} | {per_record} |")
    by_cpu = {path: 1 / us for path, us in task_us.items()}  # records per task-thread microsecond
    rates = {path: args.records / seconds for path, seconds in wall.items()}
    for name, rate in (("wall", rates), ("steady", steady), ("task CPU", by_cpu)):
        for over, under, target in (
            ("sql", "passthrough", "target >= 0.50"),
            ("sql", "udf", "target >= 5"),
            (METERED, "sql", "goal >= 0.90: at most 10 % lower"),
        ):
            if over in rate and under in rate:
                print(f"{name}: {over} / {under} {rate[over] / rate[under]:.2f} ({target})")


if __name__ == "__main__":
    main()
