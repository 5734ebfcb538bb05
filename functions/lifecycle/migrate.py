"""The migration job: copy a tenant's rows between its two storages, verify the copy, release the source.

    python -m functions.lifecycle.migrate --directory tenants.json --tenant acme --cassandra-port 9042
    python -m functions.lifecycle.migrate --directory s3://bucket/tenants/ --tenant acme --region us-east-1

What it does depends on the state in the tenant's record (functions/contracts/migration.py):
  copying  page through every table of the source (the tenant's partitions of the pool, or its keyspace),
           write each row to the target with its source cells' write times (`USING TIMESTAMP`), saving each
           table's paging state in a ledger so a restart resumes; then verify (row counts and checksums per
           table) and print the `verified` digest and the config commands for `cutover`.
  cutover  verify again; print the commands for `done`.
  done     empty the source (the DAL's partition deletes) and say to remove the migration block.
`--result FILE` also writes what the run did as JSON (`result_document`), for the programs that drive the job
(`tenant-pipeline move` reads the digest from it).
The DAL writes every write to both storages until `done`, with one timestamp, and the copy carries the
source's write times, so a concurrent write or delete always wins over the copy and a copy can be repeated.
The source is never written before `done`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from functions.contracts.cli import run_command
from functions.contracts.directory import TenantRecord
from functions.contracts.errors import ContractError
from functions.contracts.migration import NEXT_STATE, MigrationRecord
from functions.contracts.tables import TENANT_TABLES, TableSchema
from functions.dal.errors import DalError
from functions.lifecycle.checksum import TableSummary, row_hash, row_key, verified_digest
from functions.lifecycle.errors import LifecycleError, NotMigratingError, VerificationError
from functions.lifecycle.job import add_storage_options, cassandra_from, record_from
from functions.lifecycle.ledger import Ledger
from functions.lifecycle.store import PAGE_SIZE, Cassandra, TableSide, wait

VERIFY_ATTEMPTS = 5  # re-reads of rows that differ, for writes racing the comparison
VERIFY_PAUSE = 0.2  # seconds between them: a dual write's two copies land within that

# Called before each step of a run with the table and the steps done on it so far: before each row copied
# (copying), each table verified (copying, cutover), each source partition deleted (done). The tests inject
# crashes with it.
StepHook = Callable[[str, int], None]


@dataclass
class MigrationResult:
    tenant_id: str
    state: str
    copied: dict[str, int] = field(default_factory=dict)  # rows written per table in this run
    summaries: dict[str, TableSummary] = field(default_factory=dict)  # verified tables (copying, cutover)
    deleted: dict[str, int] = field(default_factory=dict)  # source rows deleted per table (done)
    digest: str | None = None
    seconds: float = 0.0


def sides(
    record: TenantRecord,
    migration: MigrationRecord,
    cassandra: Cassandra,
    table: TableSchema,
    source_role: str | None = None,
) -> tuple[TableSide, TableSide]:
    """(source, target) of one table for the tenant's `migration` (record.migration)."""
    role = migration.role_arn or source_role
    source = cassandra.side(record.tenant_id, migration.keyspace, role, table)
    target = cassandra.side(record.tenant_id, record.keyspace, record.role_arn, table)
    return source, target


# ------------------------------------------------------------------------------------------------- copy
def copy_table(
    source: TableSide,
    target: TableSide,
    ledger: Ledger,
    *,
    page_size: int = PAGE_SIZE,
    on_step: StepHook | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> int:
    """Copy the tenant's rows of one table from where the ledger left off; the rows written in this run."""
    progress = ledger.table(source.schema.name)
    if progress.done:
        say(f"{source.schema.name}: already copied ({progress.copied} rows), per the ledger")
        return 0
    started = time.monotonic()
    written = 0
    for page, next_state in source.pages(progress.paging_state, page_size):
        futures = []
        for stored in page:
            if on_step is not None:
                on_step(source.schema.name, written)
            futures += target.copy_async(stored)
            written += 1
        wait(futures, target.where)
        # Only after the page's writes landed: a restart re-copies at most this page.
        progress.paging_state = next_state
        progress.copied += len(page)
        progress.done = next_state is None
        ledger.save()
        elapsed = max(time.monotonic() - started, 1e-9)
        say(f"{source.schema.name}: {progress.copied} rows copied ({written / elapsed:,.0f} rows/s)")
    return written


# ----------------------------------------------------------------------------------------------- verify
def _scan(side: TableSide) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """row key -> row hash, and row key -> the key's column values (to read the row again)."""
    columns = side.schema.primary_key
    hashes: dict[str, int] = {}
    keys: dict[str, dict[str, Any]] = {}
    for row in side.rows():
        key = row_key(row, columns)
        hashes[key] = row_hash(row)
        keys[key] = {name: row[name] for name in columns}
    return hashes, keys


def verify_table(
    source: TableSide, target: TableSide, attempts: int = VERIFY_ATTEMPTS, pause: float = VERIFY_PAUSE
) -> TableSummary:
    """Source and target hold the same rows: the table's summary, or VerificationError naming it.

    Both sides are scanned, then each row that differs (missing, extra, changed) is read again from both,
    up to `attempts` times: a write racing the scans reaches both storages (dual writes) and then agrees.
    A row that still differs is a real mismatch."""
    source_rows, keys = _scan(source)
    target_rows, target_keys = _scan(target)
    keys.update(target_keys)
    differing = {k for k in source_rows.keys() | target_rows.keys() if source_rows.get(k) != target_rows.get(k)}
    for _ in range(attempts):
        if not differing:
            break
        time.sleep(pause)
        for key in list(differing):
            for side, rows in ((source, source_rows), (target, target_rows)):
                row = side.get(keys[key])
                if row is None:
                    rows.pop(key, None)
                else:
                    rows[key] = row_hash(row)
            if source_rows.get(key) == target_rows.get(key):
                differing.discard(key)
    if differing:
        raise VerificationError(
            source.schema.name, len(source_rows), len(target_rows), len(differing), source.tenant_id
        )
    return TableSummary.of(source_rows)


# ------------------------------------------------------------------------------------------------- run
def run_migration(
    record: TenantRecord,
    cassandra: Cassandra,
    ledger_path: Path,
    *,
    tables: tuple[TableSchema, ...] = TENANT_TABLES,
    page_size: int = PAGE_SIZE,
    on_step: StepHook | None = None,
    source_role: str | None = None,
    verify_attempts: int = VERIFY_ATTEMPTS,
    say: Callable[[str], None] = lambda _: None,
) -> MigrationResult:
    """Do what the tenant's migration state asks (module docstring); the result to print."""
    migration = record.migration
    if migration is None:
        raise NotMigratingError(
            f"tenant {record.tenant_id!r} has no migration in its directory record: set "
            "`migration: {from: <its current tier>, state: copying}` and its new `tier` in the stack config, "
            "run `pulumi up`, then run the job"
        )
    started = time.monotonic()
    result = MigrationResult(record.tenant_id, migration.state)
    pairs = [sides(record, migration, cassandra, table, source_role) for table in tables]
    if migration.state == "copying":
        ledger = Ledger.open(ledger_path, record.tenant_id, migration.keyspace, record.keyspace)
        for source, target in pairs:
            say(f"copying {source.where} -> {target.where}")
            result.copied[source.schema.name] = copy_table(
                source, target, ledger, page_size=page_size, on_step=on_step, say=say
            )
    if migration.state in ("copying", "cutover"):
        for index, (source, target) in enumerate(pairs):
            if on_step is not None:
                on_step(source.schema.name, index)
            try:
                result.summaries[source.schema.name] = summary = verify_table(source, target, verify_attempts)
            except VerificationError as error:
                if migration.state == "copying":
                    # The next run copies everything again (harmless: source write times) before verifying.
                    ledger.remove()
                    error.args = (f"{error}; the ledger was reset: a re-run copies every row again",)
                raise
            say(f"{source.schema.name}: verified, {summary.rows} rows, checksum {summary.checksum:016x}")
        result.digest = verified_digest(record.tenant_id, result.summaries)
    else:  # done: the target serves alone; the source is released
        for source, _ in pairs:
            result.deleted[source.schema.name] = source.delete_all(page_size, on_step)
            say(f"{source.where}: {result.deleted[source.schema.name]} rows deleted")
        Ledger.open(ledger_path, record.tenant_id, migration.keyspace, record.keyspace).remove()
    result.seconds = time.monotonic() - started
    return result


def next_step(result: MigrationResult, config_path: str, stack: str | None) -> list[str]:
    """What the user runs next: the exact `pulumi config` commands (config_path: the tenant's entry in the
    stack's `tenants` list, e.g. `tenant-pipeline:tenants[2]`), or what is left to do."""
    where = f" --stack {stack}" if stack else ""
    if result.state == "done":
        return [
            "remove the migration block, then `pulumi up` drops the (empty) source:",
            f"pulumi config rm --path{where} '{config_path}.migration'",
        ]
    following = NEXT_STATE[result.state]  # type: ignore[index]
    commands = [f"pulumi config set --path{where} '{config_path}.migration.state' {following}"]
    if result.state == "copying":
        commands.insert(0, f"pulumi config set --path{where} '{config_path}.migration.verified' {result.digest}")
    return [f"verified: {result.digest}; next, `{following}` (then `pulumi up` and run this job again):", *commands]


def report(result: MigrationResult, config_path: str, stack: str | None, out: TextIO) -> None:
    print(f"tenant {result.tenant_id}: migration state {result.state}, {result.seconds:.1f} s", file=out)
    for name, rows in result.copied.items():
        print(f"  copied  {name}: {rows} rows", file=out)
    for name, summary in result.summaries.items():
        print(f"  verified {name}: {summary.rows} rows, checksum {summary.checksum:016x}", file=out)
    for name, rows in result.deleted.items():
        print(f"  deleted from the source {name}: {rows} rows", file=out)
    for line in next_step(result, config_path, stack):
        print(line, file=out)


def result_document(result: MigrationResult) -> dict[str, Any]:
    """`--result FILE`: the state the run did, its `verified` digest (copying, cutover; else null) and its rows."""
    return {
        "tenant": result.tenant_id,
        "state": result.state,
        "verified": result.digest,
        "copied": result.copied,
        "deleted": result.deleted,
        "seconds": round(result.seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.lifecycle.migrate", description=__doc__.splitlines()[0])
    add_storage_options(parser)
    parser.add_argument("--ledger", type=Path, help="the progress ledger (default: build/migrations/<tenant>.json)")
    parser.add_argument(
        "--config-path", help="the tenant's entry in the stack config, e.g. 'tenant-pipeline:tenants[2]'"
    )
    parser.add_argument("--stack", help="the stack, for the printed commands")
    parser.add_argument("--source-role", help="the role reaching the source once `done` (default: own credentials)")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--result", type=Path, help="also write what the run did as JSON to this file")
    args = parser.parse_args(argv)
    record = record_from(args)
    ledger = args.ledger or Path("build") / "migrations" / f"{record.tenant_id}.json"
    with cassandra_from(args) as cassandra:
        result = run_migration(
            record,
            cassandra,
            ledger,
            page_size=args.page_size,
            source_role=args.source_role,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    report(
        result, args.config_path or f"tenant-pipeline:tenants[<index of {record.tenant_id}>]", args.stack, sys.stdout
    )
    if args.result is not None:
        args.result.parent.mkdir(parents=True, exist_ok=True)
        args.result.write_text(json.dumps(result_document(result), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    run_command(main, (LifecycleError, DalError, ContractError))
