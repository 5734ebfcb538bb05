"""Records per second through the local Flink job: pass-through, SQL path and Python-UDF path, one run.

  .venv-flink/bin/python -m bench.flink [--records 1000000]

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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from pathlib import Path

from functions.flink.local import ENRICHED_DIR, REJECTED_DIR, job_jar, read_output, run_local
from functions.flink.pipeline import ENRICHED_TABLE, SOURCE_TABLE, create_table_env
from functions.flink.tables import FileSink, FileSource

OUT = Path(__file__).resolve().parent / ".out"


def make_records(path: Path, count: int) -> None:
    bad = ["not json", '{"tenantId": "Bad", "payload": {}}', '{"tenantId": "acme", "payload": [1]}', '{"payload": {}}']
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            if index % 10 == 9:
                out.write(bad[(index // 10) % len(bad)] + "\n")
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


PATHS = ("passthrough", "sql", "udf")


def run_passthrough(records: Path, out: Path) -> None:
    """The job's source and sinks with no transformation: every record to the enriched sink as is."""
    for name in (ENRICHED_DIR, REJECTED_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
        (out / name).mkdir(parents=True)
    t_env = create_table_env([job_jar()])  # the same environment as the job's (its jar loaded)
    t_env.execute_sql(FileSource(str(records.resolve())).ddl(SOURCE_TABLE))
    t_env.execute_sql(FileSink(str((out / ENRICHED_DIR).resolve())).ddl(ENRICHED_TABLE))
    t_env.execute_sql(f"INSERT INTO {ENRICHED_TABLE} SELECT line FROM {SOURCE_TABLE}").wait()


def timed_run(records: Path, path: str, count: int) -> float:
    out = OUT / f"out-{path}"
    started = time.perf_counter()
    if path == "passthrough":
        run_passthrough(records, out)
    else:
        run_local(records, out, path)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    enriched, rejected = count_lines(out / ENRICHED_DIR), count_lines(out / REJECTED_DIR)
    if enriched + rejected != count:
        raise AssertionError(f"{path}: {enriched} + {rejected} records out, {count} in")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    records, warmup, first = OUT / "records.ndjson", OUT / "warmup.ndjson", OUT / "first.ndjson"
    short = args.records // 5
    make_records(records, args.records)
    make_records(warmup, 1000)
    make_records(first, short)  # the first records of `records`: the same lines
    for path in PATHS:
        timed_run(warmup, path, 1000)
    wall, steady = {}, {}
    for path in PATHS:
        short_seconds = timed_run(first, path, short)
        wall[path] = timed_run(records, path, args.records)
        steady[path] = (args.records - short) / (wall[path] - short_seconds)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"records: {args.records} ({records.stat().st_size / 1e6:.0f} MB), parallelism 1; steady from {short}")
    print("| path | wall seconds | wall records/s | steady records/s |")
    print("|---|---|---|---|")
    for path, seconds in wall.items():
        print(f"| {path} | {seconds:.1f} | {args.records / seconds:,.0f} | {steady[path]:,.0f} |")
    for name, rate in (("wall", {path: args.records / seconds for path, seconds in wall.items()}), ("steady", steady)):
        print(
            f"{name}: SQL / pass-through {rate['sql'] / rate['passthrough']:.2f} (target >= 0.50),"
            f" SQL / UDF {rate['sql'] / rate['udf']:.2f} (target >= 5)"
        )


if __name__ == "__main__":
    main()
