"""Bytes scanned by one tenant's query over its landed events: JSON, GZIP JSON (what lands) and Parquet,
at 1, 100 and 1,000 tenants' worth of data in the bucket.

    .venv/bin/python -m bench.analytics [--tenants 1 100 1000] [--events 100] [--flushes 2]

Events are landed as the declared enriched-events delivery stream lands them (local/sandbox/delivery.py:
the declared JQ partitioning and prefix; `--flushes` buffer flushes a day, each an object per tenant), once
as plain JSON Lines, once GZIP (the declared compression) and once as Parquet (SNAPPY, the declared table's
columns, the payload as JSON text: what Firehose's record format conversion would write). JSON and GZIP
are queried through the local Athena (local/analytics) as the tenant itself, which counts the bytes of every
object it reads; for Parquet the bytes are those a reader fetches with ranged GETs: each object's footer,
then the column chunks the query needs (none for count(*)). The queried tenant is `acme`, querying as its
declared role (the IAM evaluator judges its requests as in the demo, on the dev stack's policies, with the
table's template pointed at each format's bucket); the others' data only grows the bucket, which partition
pruning never reads.
"""

from __future__ import annotations

import argparse
import io
import json
import random
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from local.analytics.athena import ARROW_TYPES, LocalAthena, TenantIdentity, deserialize
from local.analytics.catalog import read_analytics
from local.fake_cloud import ACCOUNT_ID
from local.iam.matrix import read_access
from local.paths import PROJECT_ROOT
from local.program import run_program
from local.sandbox.declared import read_declaration
from local.sandbox.delivery import deliver, object_lines
from local.sandbox.local_cloud import aws_client
from local.services.moto_server import MotoServer
from local.stack_file import read_stack_config

DAY_MS = 86_400_000
NOV_23_2026 = 1795430400000
QUERIES = {
    "count(*)": "SELECT count(*) AS events FROM {table} WHERE tenant = '{tenant}'",
    "one column": "SELECT count(DISTINCT request_id) AS requests FROM {table} WHERE tenant = '{tenant}'",
}
QUERY_COLUMNS = {"count(*)": [], "one column": ["request_id"]}


def event(tenant: str, n: int, day: int, rng: random.Random) -> bytes:
    """An enriched event of ~0.7 KB: the envelope and a payload of a typical client's fields."""
    payload = {
        "type": rng.choice(["page_view", "click", "purchase", "signup"]),
        "userId": f"user-{rng.randrange(10_000)}",
        "sessionId": f"{rng.getrandbits(64):016x}",
        "url": f"https://app.example.com/{rng.choice(['home', 'cart', 'product', 'search'])}/{rng.randrange(1000)}",
        "amount": round(rng.random() * 100, 2),
        "attributes": {"device": rng.choice(["ios", "android", "web"]), "locale": "en-GB", "ab": rng.randrange(4)},
        "note": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(200)),
    }
    return json.dumps(
        {
            "tenantId": tenant,
            "tier": "premium",
            "requestId": f"{rng.getrandbits(128):032x}",
            "receivedAt": NOV_23_2026 + day * DAY_MS + n,
            "payload": payload,
            "timestamp": NOV_23_2026 + day * DAY_MS + n + 50,
        }
    ).encode()


def land(clients: dict[str, Any], stack: Any, analytics: Any, tenants: list[str], shape: tuple[int, int]) -> None:
    """`events` per tenant over two days, in `flushes` objects a day per tenant, in each format's moto."""
    events, flushes = shape
    bucket = stack.bucket
    declared = stack.event_streams[0]
    rng = random.Random(7)
    for day in range(2):
        for flush in range(flushes):
            batch = [
                event(tenant, n, day, rng)
                for tenant in tenants
                for n in range(events // (2 * flushes) * flush, events // (2 * flushes) * (flush + 1))
            ]
            deliver(replace(declared, compression="UNCOMPRESSED"), batch, clients["json"], bucket)
            delivered = deliver(declared, batch, clients["gzip"], bucket)
            for key in delivered.objects:
                body = clients["gzip"].get_object(Bucket=bucket, Key=key)["Body"].read()
                rows = [deserialize(analytics.table, line) for line in object_lines(key, body)]
                schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in analytics.table.columns])
                buffer = io.BytesIO()
                pq.write_table(pa.Table.from_pylist(rows, schema=schema), buffer, compression="snappy")
                parquet_key = key.removesuffix(".gz") + ".parquet"
                clients["parquet"].put_object(Bucket=bucket, Key=parquet_key, Body=buffer.getvalue())


def parquet_bytes(s3: Any, bucket: str, tenant: str, columns: list[str]) -> tuple[int, int]:
    """(bytes fetched, objects) for reading the tenant's Parquet objects' footers and `columns`' chunks."""
    total = objects = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"tenant={tenant}/"):
        for item in page.get("Contents", []):
            key, size = item["Key"], item["Size"]
            tail = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={size - 8}-{size - 1}")["Body"].read()
            footer_length = int.from_bytes(tail[:4], "little")
            footer = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={size - 8 - footer_length}-{size - 9}")[
                "Body"
            ].read()
            total += len(tail) + len(footer)
            metadata = (
                pq.read_metadata(io.BytesIO(footer + tail))
                if False
                else pq.ParquetFile(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())).metadata
            )  # the footer parsed (the whole object here only to hand pyarrow a file)
            for group in range(metadata.num_row_groups):
                for index in range(metadata.num_columns):
                    chunk = metadata.row_group(group).column(index)
                    if chunk.path_in_schema in columns:
                        start = chunk.dictionary_page_offset or chunk.data_page_offset
                        end = start + chunk.total_compressed_size - 1
                        total += len(s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end}")["Body"].read())
            objects += 1
    return total, objects


def bucket_bytes(s3: Any, bucket: str) -> int:
    return sum(
        item["Size"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--events", type=int, default=100, help="events per tenant (two days)")
    parser.add_argument("--flushes", type=int, default=2, help="objects per tenant and day")
    args = parser.parse_args()
    declaration = run_program("dev", read_stack_config("dev"))
    stack = read_declaration(declaration, "us-east-1")
    analytics = read_analytics(declaration, "us-east-1", ACCOUNT_ID)
    access = read_access(declaration, "us-east-1")
    run_dir = PROJECT_ROOT / "build" / "bench-analytics"
    run_dir.mkdir(parents=True, exist_ok=True)
    forms = ("json", "gzip", "parquet")
    with ExitStack() as servers:
        clients = {}
        for form in forms:
            moto = MotoServer(run_dir / f"moto-{form}.log").start()
            servers.callback(moto.stop)
            clients[form] = aws_client("s3", moto.endpoint, "us-east-1")
            clients[form].create_bucket(Bucket=stack.bucket)
            clients[form].create_bucket(Bucket=analytics.results_bucket)
        acme = next(t for t in stack.tenants if t.tenant_id == "acme")
        role = next(r for r in access.roles if r.arn == acme.role_arn)
        athena = LocalAthena(analytics, {access.bucket: access.bucket_policy} if access.bucket_policy else {})
        results = f"s3://{analytics.results_bucket}/tenant=acme/"
        print("| tenants in the bucket | query | JSON bytes | GZIP JSON bytes | Parquet bytes | objects read |")
        print("|---|---|---|---|---|---|")
        landed: list[str] = []
        for count in args.tenants:
            tenants = ["acme", *(f"t{n:04d}" for n in range(1, count))]
            land(clients, stack, analytics, [t for t in tenants if t not in landed], (args.events, args.flushes))
            landed = tenants
            for name, sql in QUERIES.items():
                query = sql.format(table=analytics.table.qualified, tenant="acme")
                scanned = {}
                for form in ("json", "gzip"):
                    caller = TenantIdentity("acme", acme.tier, role.name, role.arn, role.policies, clients[form])
                    answer = athena.run(caller, query, results)
                    scanned[form] = (answer.bytes_scanned, answer.objects, answer.rows)
                assert scanned["json"][2] == scanned["gzip"][2]
                parquet, _ = parquet_bytes(clients["parquet"], stack.bucket, "acme", QUERY_COLUMNS[name])
                print(
                    f"| {count:,} | {name} | {scanned['json'][0]:,} | {scanned['gzip'][0]:,} | {parquet:,} "
                    f"| {scanned['json'][1]} |"
                )
        print(
            "bucket bytes (JSON / GZIP / Parquet): "
            + " / ".join(f"{bucket_bytes(clients[f], stack.bucket):,}" for f in forms)
        )


if __name__ == "__main__":
    main()
