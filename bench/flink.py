"""Records per second through the local Flink job: SQL path vs Python-UDF path, side by side, one run.

  .venv-flink/bin/python -m bench.flink [--records 1000000]

Writes N Kinesis records (9 in 10 good, the rest bad in several ways) to bench/.out/, runs the local
job (file -> job -> files, parallelism 1) once per path in one JVM, checks records in = enriched +
rejected, and prints a table. A warm-up run on a small file first keeps JVM start-up out of both numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from functions.flink.local import ENRICHED_DIR, REJECTED_DIR, read_output, run_local

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


def timed_run(records: Path, path: str, count: int) -> float:
    out = OUT / f"out-{path}"
    started = time.perf_counter()
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
    records, warmup = OUT / "records.ndjson", OUT / "warmup.ndjson"
    make_records(records, args.records)
    make_records(warmup, 1000)
    timed_run(warmup, "sql", 1000)
    timed_run(warmup, "udf", 1000)
    results = {path: timed_run(records, path, args.records) for path in ("sql", "udf")}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"records: {args.records} ({records.stat().st_size / 1e6:.0f} MB), parallelism 1")
    print("| path | seconds | records/s |")
    print("|---|---|---|")
    for path, seconds in results.items():
        print(f"| {path} | {seconds:.1f} | {args.records / seconds:,.0f} |")
    print(f"SQL / UDF throughput ratio: {results['udf'] / results['sql']:.2f}")


if __name__ == "__main__":
    main()
