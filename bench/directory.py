"""The published tenant directory at scale: what a reader pays when the directory is one document and when it is
the cells' slices, against moto's S3 on loopback, in one run.

    .venv/bin/python -m bench.directory [--tenants 10000] [--slice-size 500] [--rounds 15] [--lookups 200000]

A roster of `--tenants` (one in five premium, ARNs of real length) is written as the program writes directory
documents (components/storage/directory.py document_text) in two layouts, each under a prefix of its own: one slice
holding every tenant (`platform.json`, as an environment without cells publishes it) and slices of about
`--slice-size` tenants (`basic-<n>.json`, `premium-<n>.json`: a cell holds one storage model's tenants). Both are
read with the runtime's reader (functions/directory/reader.py). Each round measures, per layout: a cold read (LIST
+ GET and parse of every slice + merge), a refresh of an unchanged directory (one LIST), a refresh after one
tenant's record changed in one slice (an offboarding, then back: LIST + GET and parse of that slice) and the warm
path (a lookup in the cached records, what nearly every request costs). Loopback moto is not S3: the ratios, not
the milliseconds, carry over (S3's own latency adds to every request alike, so many GETs cost more there than here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3

from components.storage.directory import document_text
from functions.contracts.cells import PLATFORM_SLICE, SLICE_SUFFIX
from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.directory.reader import DirectoryReader
from local.paths import PROJECT_ROOT
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer

BUCKET = "tenant-pipeline-bench-directory"
ROLE_PREFIX = "arn:aws:iam::123456789012:role/tenant-pipeline/prod/tenants/"
MAX_AGE = 60.0


def record(n: int) -> TenantRecord:
    """Tenant n of the roster: every fifth premium (own keyspace and role), the rest pooled."""
    tenant_id = f"tenant-{n:05d}"
    premium = n % 5 == 0
    role = ROLE_PREFIX + (f"tenant-pipeline-prod-tenant-{tenant_id}" if premium else "tenant-pipeline-prod-pooled")
    return TenantRecord(
        tenant_id,
        "premium" if premium else "basic",
        "active",
        silo_keyspace(tenant_id) if premium else POOLED_KEYSPACE,
        tenant_s3_prefix(tenant_id),
        role,
    )


def cell_layout(count: int, slice_size: int) -> dict[str, dict[str, TenantRecord]]:
    """The roster over cells of at most `slice_size` tenants, one tier's tenants per cell, each record naming it."""
    by_tier: dict[str, list[TenantRecord]] = {}
    for n in range(count):
        tenant = record(n)
        by_tier.setdefault(tenant.tier, []).append(tenant)
    cells: dict[str, dict[str, TenantRecord]] = {}
    for tier, tenants in by_tier.items():
        for start in range(0, len(tenants), slice_size):
            cell = f"{tier}-{start // slice_size + 1}"
            part = tenants[start : start + slice_size]
            cells[cell] = {t.tenant_id: replace(t, cell=cell, key_cell=cell) for t in part}
    return cells


def single_layout(count: int) -> dict[str, dict[str, TenantRecord]]:
    """The whole roster in the platform slice, as an environment without cells publishes it (no cell named)."""
    return {PLATFORM_SLICE: {tenant.tenant_id: tenant for tenant in map(record, range(count))}}


def slice_body(records: dict[str, TenantRecord]) -> bytes:
    return document_text({tenant_id: tenant.to_entry() for tenant_id, tenant in records.items()}).encode()


class ManualClock:
    """The reader's clock, advanced past the max age to force a refresh without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@dataclass
class Layout:
    """One way of publishing the roster, under a prefix of its own, and what reading it cost."""

    name: str
    prefix: str
    slices: dict[str, dict[str, TenantRecord]]
    times: dict[str, list[float]] = field(default_factory=dict)

    def key(self, cell: str) -> str:
        return f"{self.prefix}{cell}{SLICE_SUFFIX}"

    def publish(self, s3: Any) -> list[int]:
        sizes = []
        for cell, records in self.slices.items():
            body = slice_body(records)
            s3.put_object(Bucket=BUCKET, Key=self.key(cell), Body=body, ContentType="application/json")
            sizes.append(len(body))
        return sizes

    def change_one(self, s3: Any, round_: int) -> str:
        """One tenant of one slice (the first) offboarded, or served again, as a cell publishes it; its id."""
        cell, records = next(iter(self.slices.items()))
        tenant = next(iter(records.values()))
        offboarded = replace(tenant, status="offboarded", role_arn=None)
        changed = {**records, tenant.tenant_id: tenant if round_ % 2 else offboarded}
        s3.put_object(Bucket=BUCKET, Key=self.key(cell), Body=slice_body(changed), ContentType="application/json")
        return tenant.tenant_id

    def measure(self, s3: Any, round_: int, ids: list[str], lookups: int) -> None:
        clock = ManualClock()
        reader = DirectoryReader(s3, BUCKET, self.prefix, max_age=MAX_AGE, clock=clock)
        count = len(self.slices)
        self.add("cold", seconds(reader.records))
        assert (reader.lists, reader.downloads) == (1, count), "the cold read is one LIST and every GET"
        clock.now += MAX_AGE
        self.add("unchanged", seconds(reader.records))
        assert (reader.lists, reader.downloads) == (2, count), "the unchanged refresh sent a GET"
        changed = self.change_one(s3, round_)
        clock.now += MAX_AGE
        self.add("one-changed", seconds(reader.records))
        assert (reader.lists, reader.downloads) == (3, count + 1), "the refresh did not GET exactly one slice"
        assert reader.get(changed) is not None

        def warm() -> None:
            for n in range(lookups):
                reader.get(ids[n % len(ids)])

        self.add("warm", seconds(warm) / lookups)

    def add(self, what: str, value: float) -> None:
        self.times.setdefault(what, []).append(value)

    def median(self, what: str) -> float:
        return statistics.median(self.times[what])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--slice-size", type=int, default=500, help="tenants per cell's slice")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--lookups", type=int, default=200_000, help="warm lookups per round")
    args = parser.parse_args(argv)
    if min(args.tenants, args.slice_size, args.rounds, args.lookups) < 1:
        parser.error("--tenants, --slice-size, --rounds and --lookups must be at least 1")

    layouts = [
        Layout("one document", "single/tenants/", single_layout(args.tenants)),
        Layout(f"slices of {args.slice_size}", "cells/tenants/", cell_layout(args.tenants, args.slice_size)),
    ]
    run_dir = PROJECT_ROOT / ".run" / "bench"
    run_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    sizes: dict[str, list[int]] = {}
    with MotoServer(Path(run_dir / "moto-directory.log")) as moto:
        s3 = boto3.client(
            "s3",
            endpoint_url=moto.endpoint,
            region_name="us-east-1",
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        s3.create_bucket(Bucket=BUCKET)
        for layout in layouts:
            sizes[layout.name] = layout.publish(s3)
        ids = [record(n).tenant_id for n in range(0, args.tenants, max(1, args.tenants // 1000))]
        for round_ in range(args.rounds):
            for layout in layouts:  # alternating, so both see the same machine load
                layout.measure(s3, round_, ids, args.lookups)
    load_after = os.getloadavg()

    single, cells = layouts
    print(f"{args.tenants:,} tenants; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    for layout in layouts:
        total = sum(sizes[layout.name])
        print(
            f"{layout.name}: {len(layout.slices)} slice(s), {total:,} bytes "
            f"({total / args.tenants:.0f} bytes a tenant, {max(sizes[layout.name]):,} bytes the largest slice)"
        )
    print(f"medians of {args.rounds} rounds, moto on loopback:")
    print(f"| read | {single.name} | {cells.name} ({len(cells.slices)}) | slices / one document |")
    print("|---|---:|---:|---:|")
    rows = [
        ("cold: LIST + GET and parse every slice", "cold", 1e3, "ms"),
        ("refresh, unchanged: one LIST", "unchanged", 1e3, "ms"),
        ("refresh, one tenant changed: LIST + GET its slice", "one-changed", 1e3, "ms"),
        ("warm: lookup in the cached records", "warm", 1e6, "us"),
    ]
    for label, what, scale, unit in rows:
        a, b = single.median(what), cells.median(what)
        print(f"| {label} | {a * scale:,.2f} {unit} | {b * scale:,.2f} {unit} | {b / a:.2f}x |")
    for layout in layouts:
        print(
            f"{layout.name}: cold / unchanged refresh {layout.median('cold') / layout.median('unchanged'):.0f}x, "
            f"one-changed / unchanged refresh {layout.median('one-changed') / layout.median('unchanged'):.1f}x"
        )


if __name__ == "__main__":
    main()
