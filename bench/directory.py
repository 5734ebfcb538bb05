"""The published tenant directory at scale: its size, and what a reader pays per request, per refresh
(conditional GET answered 304) and per change (a full GET and parse), against moto's S3 on loopback.

    .venv/bin/python -m bench.directory [--tenants 10000] [--rounds 15] [--lookups 200000]

The document is written as the program writes it (components/storage/directory.py document_text) for a
roster of `--tenants` (one in five premium, ARNs of real length) and read with the runtime's reader
(functions/directory/reader.py). Each round measures a cold read (GET + parse of the whole document), a
refresh of an unchanged document (If-None-Match: 304, no body) and the warm path (a lookup from the cached
records, what nearly every request costs). Loopback moto is not S3: the ratios, not the milliseconds, carry
over (S3's own latency adds to both GETs alike).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import boto3

from components.storage.directory import document_text
from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.directory.reader import DirectoryReader
from local.paths import PROJECT_ROOT
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer

BUCKET = "tenant-pipeline-bench-directory"
KEY = "tenants.json"
ROLE_PREFIX = "arn:aws:iam::123456789012:role/tenant-pipeline/prod/tenants/"


def roster(count: int) -> dict[str, Any]:
    """The `tenants` output of `count` tenants: every fifth premium (own keyspace and role), the rest pooled."""
    entries = {}
    for n in range(count):
        tenant_id = f"tenant-{n:05d}"
        premium = n % 5 == 0
        role = ROLE_PREFIX + (f"tenant-pipeline-prod-tenant-{tenant_id}" if premium else "tenant-pipeline-prod-pooled")
        record = TenantRecord(
            tenant_id,
            "premium" if premium else "basic",
            "active",
            silo_keyspace(tenant_id) if premium else POOLED_KEYSPACE,
            tenant_s3_prefix(tenant_id),
            role,
        )
        entries[tenant_id] = record.to_entry()
    return entries


class ManualClock:
    """The reader's clock, advanced past the max age to force a refresh without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def seconds(call: Any) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--lookups", type=int, default=200_000, help="warm lookups per round")
    args = parser.parse_args(argv)
    if args.tenants < 1 or args.rounds < 1 or args.lookups < 1:
        parser.error("--tenants, --rounds and --lookups must be at least 1")

    body = document_text(roster(args.tenants)).encode()
    run_dir = PROJECT_ROOT / ".run" / "bench"
    run_dir.mkdir(parents=True, exist_ok=True)
    cold, refresh, warm = [], [], []
    with MotoServer(Path(run_dir / "moto-directory.log")) as moto:
        s3 = boto3.client(
            "s3",
            endpoint_url=moto.endpoint,
            region_name="us-east-1",
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=body, ContentType="application/json")
        ids = [f"tenant-{n:05d}" for n in range(0, args.tenants, max(1, args.tenants // 1000))]
        for _ in range(args.rounds):
            clock = ManualClock()
            reader = DirectoryReader(s3, BUCKET, KEY, max_age=60, clock=clock)
            cold.append(seconds(reader.records))
            clock.now += 60
            refresh.append(seconds(reader.records))
            assert (reader.fetches, reader.downloads) == (2, 1), "the refresh was not answered 304"

            def lookups(reader: DirectoryReader = reader) -> None:
                for n in range(args.lookups):
                    reader.get(ids[n % len(ids)])

            warm.append(seconds(lookups) / args.lookups)

    cold_s, refresh_s, warm_s = (statistics.median(values) for values in (cold, refresh, warm))
    print(f"{args.tenants} tenants: document {len(body):,} bytes ({len(body) / args.tenants:.0f} bytes a tenant)")
    print(f"medians of {args.rounds} rounds, moto on loopback:")
    print("| read | time | vs warm lookup |")
    print("|---|---:|---:|")
    print(f"| cold: GET + parse the whole document | {cold_s * 1e3:.1f} ms | {cold_s / warm_s:,.0f}x |")
    print(f"| refresh, unchanged: conditional GET, 304 | {refresh_s * 1e3:.2f} ms | {refresh_s / warm_s:,.0f}x |")
    print(f"| warm: lookup in the cached records | {warm_s * 1e6:.2f} us | 1x |")
    print(f"cold / refresh: {cold_s / refresh_s:.0f}x")


if __name__ == "__main__":
    main()
