"""The offboarding job for a tier whose strategy is `delete`: every row and every S3 object version of the
tenant, then a receipt.

    python -m functions.lifecycle.offboard --directory tenants.json --tenant vandelay --strategy delete \\
        --bucket <ingest bucket> --cassandra-port 9042 --receipts build/receipts/dev

It runs for a tenant whose record says `offboarded` and whose tier's offboarding is `delete` (the caller
passes the strategy: it is stack config, which runtime code does not read); an active tenant, or any other
strategy, is refused before anything is deleted. It deletes the tenant's pooled partitions (the DAL's
partition delete), its silo keyspace's rows, every object version and delete marker under `tenant=<id>/`,
and writes a receipt: tenant, when, rows deleted per table, objects, versions and delete markers deleted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from functions.contracts.cli import run_command
from functions.contracts.directory import TenantRecord
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tables import TENANT_TABLES, TableSchema
from functions.dal.errors import DalError
from functions.lifecycle.errors import LifecycleError, MissingTableError, OffboardRefusedError, StorageError
from functions.lifecycle.job import add_storage_options, cassandra_from, read_directory
from functions.lifecycle.store import Cassandra

DELETE = "delete"
DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys per request


@dataclass
class Receipt:
    tenant: str
    tier: str
    when: str  # UTC, ISO 8601
    bucket: str
    prefix: str
    rows_deleted: dict[str, int] = field(default_factory=dict)  # keyspace.table -> rows
    tables_absent: list[str] = field(default_factory=list)  # keyspace.table already dropped (silo, `pulumi up`)
    objects_deleted: int = 0  # distinct keys
    versions_deleted: int = 0  # object versions (current and noncurrent)
    delete_markers_deleted: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_deletable(record: TenantRecord | None, tenant_id: str, strategy: str) -> TenantRecord:
    """The record, if this tenant's data is to be deleted; OffboardRefusedError saying why not otherwise."""
    if record is None:
        raise OffboardRefusedError(f"tenant {tenant_id!r} is not in the tenant directory: nothing to offboard")
    if record.active:
        raise OffboardRefusedError(
            f"tenant {tenant_id!r} is active: set `status: offboarded` in the stack config and `pulumi up` first; "
            "nothing was deleted"
        )
    if strategy != DELETE:
        raise OffboardRefusedError(
            f"tenant {tenant_id!r}: its tier {record.tier!r} offboards with {strategy!r}, which keeps its data; "
            "nothing was deleted"
        )
    return record


def delete_rows(
    record: TenantRecord,
    cassandra: Cassandra,
    tables: tuple[TableSchema, ...],
    receipt: Receipt,
    say: Callable[[str], None],
) -> None:
    """Delete the tenant's rows: its partitions of the pooled tables, and its own keyspace's rows if it has one
    (a silo keyspace the program already dropped has nothing left: noted in the receipt)."""
    keyspaces = [POOLED_KEYSPACE] if record.pooled else [record.keyspace, POOLED_KEYSPACE]
    for keyspace in keyspaces:
        for table in tables:
            where = f"{keyspace}.{table.name}"
            try:
                side = cassandra.side(record.tenant_id, keyspace, None, table)
            except MissingTableError:
                if keyspace == POOLED_KEYSPACE:
                    raise
                receipt.tables_absent.append(where)
                say(f"{where}: already dropped")
                continue
            receipt.rows_deleted[where] = side.delete_all()
            say(f"{where}: {receipt.rows_deleted[where]} rows deleted")


def delete_objects(s3: Any, bucket: str, prefix: str, receipt: Receipt, say: Callable[[str], None]) -> None:
    """Delete every object version and delete marker under `prefix` (ListObjectVersions, paged)."""
    keys: set[str] = set()
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            versions = page.get("Versions", [])
            markers = page.get("DeleteMarkers", [])
            batch = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in [*versions, *markers]]
            for start in range(0, len(batch), DELETE_BATCH):
                chunk = batch[start : start + DELETE_BATCH]
                answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise StorageError(
                        f"s3://{bucket}/{first.get('Key')} version {first.get('VersionId')}: {first.get('Code')} "
                        f"{first.get('Message')} ({len(answer['Errors'])} deletions failed); re-run the job"
                    )
            keys.update(v["Key"] for v in [*versions, *markers])
            receipt.versions_deleted += len(versions)
            receipt.delete_markers_deleted += len(markers)
    except (BotoCoreError, ClientError) as error:
        raise StorageError(f"s3://{bucket}/{prefix}: {error}") from error
    receipt.objects_deleted = len(keys)
    say(
        f"s3://{bucket}/{prefix}: {receipt.versions_deleted} versions, {receipt.delete_markers_deleted} markers deleted"
    )


def run_offboarding(
    record: TenantRecord | None,
    tenant_id: str,
    strategy: str,
    *,
    cassandra: Cassandra,
    s3: Any,
    bucket: str,
    receipts: Path,
    tables: tuple[TableSchema, ...] = TENANT_TABLES,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[Receipt, Path]:
    """Delete the tenant's data (refused unless offboarded with `delete`); the receipt and where it was written."""
    record = check_deletable(record, tenant_id, strategy)
    now = datetime.now(UTC)
    prefix = tenant_s3_prefix(record.tenant_id)
    receipt = Receipt(record.tenant_id, record.tier, now.isoformat(timespec="seconds"), bucket, prefix)
    delete_rows(record, cassandra, tables, receipt, say)
    delete_objects(s3, bucket, prefix, receipt, say)
    receipts.mkdir(parents=True, exist_ok=True)
    path = receipts / f"{record.tenant_id}-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(receipt.to_json(), indent=2) + "\n")
    return receipt, path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.lifecycle.offboard", description=__doc__.splitlines()[0])
    add_storage_options(parser)
    parser.add_argument("--strategy", required=True, help="the tenant's tier's offboarding strategy (stack config)")
    parser.add_argument("--bucket", required=True, help="the ingest bucket (tenant=<id>/ objects)")
    parser.add_argument("--receipts", type=Path, default=Path("build") / "receipts", help="where the receipt goes")
    args = parser.parse_args(argv)
    # Refused before anything is connected to.
    record = check_deletable(read_directory(args.directory).get(args.tenant), args.tenant, args.strategy)
    with cassandra_from(args) as cassandra:
        receipt, path = run_offboarding(
            record,
            args.tenant,
            args.strategy,
            cassandra=cassandra,
            s3=boto3.client("s3", region_name=args.region),
            bucket=args.bucket,
            receipts=args.receipts,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    print(json.dumps(receipt.to_json(), indent=2))
    print(f"receipt: {path}")
    return 0


if __name__ == "__main__":
    run_command(main, (LifecycleError, DalError, ContractError))
