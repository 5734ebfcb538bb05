"""The demo's lifecycle section: two tier moves and an offboarding, live, while the moving tenants write.

Each step is what a user does on AWS. A config change (the roster, edited as `pulumi config set --path`
would) is run through the program under mocks with the previous step's `tenants` output as the deployed
roster, so the program's own transition checks apply. What `pulumi up` would then do to the data stores
is done here: the declared keyspaces and tables are created in Cassandra, a keyspace no longer declared
is dropped (only if the previous step declared it unprotected: anything else would be a protected
deletion and stops the demo), and the directory document is published into moto S3, where the DAL's
cached reader picks it up. Then the step's job runs: `functions.lifecycle.migrate` for each state of
both moves, `functions.lifecycle.offboard` for the offboarding.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from functions.contracts.directory import TenantRecord
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tables import ORDERS, TENANT_TABLES
from functions.dal import RoleAssumer, TenantContext, TenantDataAccess, TenantDirectory, tenant_scope
from functions.dal.connection import LocalCassandra
from functions.lifecycle.migrate import run_migration
from functions.lifecycle.offboard import run_offboarding
from functions.lifecycle.store import Cassandra
from local.environment import EnvironmentRun, read_environment_settings
from local.errors import DeclarationError
from local.previous_roster import PreviousRoster
from local.program import Declaration
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.keyspaces import schema_statements
from local.sandbox.local_cloud import LocalCloud, publish_directory
from local.sandbox.tenant_data import customer_ids
from local.services.cassandra import CassandraNode
from local.stack_file import TENANTS_KEY
from tiers.catalogue import TIERS_KEY
from tiers.cells import cell_for
from tiers.policy import TierPolicy
from tiers.stack_config import StackConfig

KEYSPACE_TYPE = "aws:keyspaces/keyspace:Keyspace"
DIRECTORY_MAX_AGE = 0.2  # seconds the demo's DAL keeps a directory: a step's publish reaches it at once
SETTLE = 4 * DIRECTORY_MAX_AGE  # after a publish, before the job runs: every cached directory has refreshed


@dataclass(frozen=True)
class TableMove:
    table: str
    before: int  # the tenant's rows in the source when it started writing
    written: int  # rows the tenant added while it moved
    after: int  # its rows in the target once the move is over
    left_in_source: int  # its rows still in the source (0: released)

    @property
    def equal(self) -> bool:
        return self.after == self.before + self.written and self.left_in_source == 0


@dataclass
class MoveOutcome:
    tenant_id: str
    from_tier: str
    to_tier: str
    source: str
    target: str
    digest: str = ""
    tables: list[TableMove] = field(default_factory=list)
    from_cell: str | None = None  # with cells: the cell it leaves, and the one it joins
    to_cell: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.tables) and all(t.equal for t in self.tables)


@dataclass
class OffboardOutcome:
    tenant_id: str
    rows_before: dict[str, int]
    rows_after: dict[str, int]
    versions_before: int  # object versions and delete markers under its prefix
    versions_after: int
    receipt: Path

    @property
    def ok(self) -> bool:
        return sum(self.rows_after.values()) == 0 and self.versions_after == 0 and self.versions_before > 0


@dataclass
class LifecycleResult:
    moves: list[MoveOutcome]
    offboard: OffboardOutcome | None
    steps: list[str]  # each config step, as applied

    @property
    def ok(self) -> bool:
        return all(m.ok for m in self.moves) and self.offboard is not None and self.offboard.ok


class LiveStack:
    """The stack as deployed here: each `apply` is one `pulumi up` of a changed roster."""

    def __init__(self, stack: EnvironmentRun, node: CassandraNode, cloud: LocalCloud, workdir: Path):
        self.name = stack.name
        self.config = stack.config  # the catalogue and the cells, as first read (no step changes them)
        self.workdir = workdir  # where each step's settings file is written, as every stack reads it
        self.raw = copy.deepcopy(stack.raw)
        self.declaration = stack.declaration
        self.node = node
        self.cloud = cloud
        self.steps: list[str] = []

    @property
    def tenants(self) -> dict[str, Any]:
        return dict(self.declaration.outputs["tenants"])

    @property
    def keyspaces(self) -> set[str]:
        """The keyspaces the last step declares (and Cassandra therefore has)."""
        return {r.inputs["name"] for r in self.declaration.of_type(KEYSPACE_TYPE)}

    @property
    def tiers(self) -> Mapping[str, TierPolicy]:
        return self.config.tiers

    def apply(self, step: str, edit: Callable[[dict[str, Any]], None]) -> DeclaredStack:
        raw = copy.deepcopy(self.raw)
        edit(raw)
        before = PreviousRoster(f"the step before {step!r}", self.tenants)
        declaration = read_environment_settings(self.name, raw, self.workdir, before, purpose="stepped").declaration
        stack = read_declaration(declaration, str(raw.get("aws:region", "us-east-1")))
        with self.node.cql() as admin:
            for statement in schema_statements(stack):
                admin.execute(statement, timeout=60)
            for keyspace in dropped_keyspaces(self.declaration, declaration):
                admin.execute(f'DROP KEYSPACE IF EXISTS "{keyspace}"', timeout=60)
        publish_directory(self.cloud, stack)
        self.raw, self.declaration = raw, declaration
        self.steps.append(step)
        time.sleep(SETTLE)
        return stack


def dropped_keyspaces(before: Declaration, after: Declaration) -> list[str]:
    """Keyspaces `before` declared and `after` does not; DeclarationError if one of them was protected."""
    declared = {r.inputs["name"]: r for r in after.of_type(KEYSPACE_TYPE)}
    gone = [r for r in before.of_type(KEYSPACE_TYPE) if r.inputs["name"] not in declared]
    protected = [r.inputs["name"] for r in gone if r.protect]
    if protected:
        raise DeclarationError(f"the step would delete protected keyspaces {protected}: pulumi up refuses it")
    return sorted(r.inputs["name"] for r in gone)


def tenant_entry(raw: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    entries: list[dict[str, Any]] = raw[TENANTS_KEY]
    for entry in entries:
        if entry["id"] == tenant_id:
            return entry
    raise DeclarationError(f"tenant {tenant_id!r} is not in the roster")


class TenantWriter:
    """The moving tenants keep writing orders through the DAL (a thread) while their data moves."""

    def __init__(self, dal: TenantDataAccess, tenants: dict[str, str]):  # tenant id -> tier it started on
        self.dal = dal
        self.tenants = tenants
        self.written = dict.fromkeys(tenants, 0)
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tenant-writer", daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            for tenant_id, tier in self.tenants.items():
                customer_id = customer_ids(tenant_id, 1)[0]
                try:
                    # The context's tier is informational: the directory routes the write.
                    with tenant_scope(TenantContext(tenant_id, tier)):
                        self.dal.orders.put(
                            {
                                "customer_id": customer_id,
                                "order_id": uuid.uuid1(),
                                "status": "placed",
                                "total_cents": 100 + n,
                                "currency": "EUR",
                                "items": {"sku-live": 1},
                                "created_at": datetime.now(UTC),
                            }
                        )
                    self.written[tenant_id] += 1
                except Exception as error:  # reported by the demo: a lost write fails it
                    self.failures.append(error)
            n += 1
            self._stop.wait(0.02)

    @contextmanager
    def running(self) -> Iterator[TenantWriter]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def tenant_rows(cassandra: Cassandra, tenant_id: str, keyspace: str) -> dict[str, int]:
    """The tenant's rows per table in `keyspace` (its partitions of the pool, or its own keyspace)."""
    return {
        schema.name: sum(1 for _ in cassandra.side(tenant_id, keyspace, None, schema).rows())
        for schema in TENANT_TABLES
    }


def object_versions(s3: Any, bucket: str, prefix: str) -> int:
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        count += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    return count


@dataclass(frozen=True)
class LifecyclePlan:
    """Who the demo moves and offboards, chosen by storage model from the stack's own catalogue."""

    upgrade: TenantRecord  # a pooled tenant, to a silo tier
    to_silo: str
    downgrade: TenantRecord  # a silo tenant, to a pooled tier
    to_pooled: str
    leaving: TenantRecord  # a pooled tenant, offboarded with `delete`


def target_cell(config: StackConfig, tenant_id: str, tier: str) -> str | None:
    """The cell a moving tenant joins on its new tier (tiers/cells.py cell_for); None without cells."""
    if config.cells is None:
        return None
    return cell_for(config.tenants, config.tiers, config.cells, tenant_id, tier)


def plan_lifecycle(stack: DeclaredStack, tiers: Mapping[str, TierPolicy]) -> LifecyclePlan:
    """One pooled tenant moves to the first silo tier, from the pooled tier listed last that has served tenants
    (the stack's own tiers come after the defaults: the move a stack adding a pooled tier makes); the last served
    silo tenant moves to the first pooled tier; another served pooled tenant is offboarded with `delete`."""
    served = [t for t in stack.tenants if t.active]
    pooled_tiers = [name for name, tier in tiers.items() if not tier.siloed]
    silo_tiers = [name for name, tier in tiers.items() if tier.siloed]
    pooled = [t for name in reversed(pooled_tiers) for t in served if t.tier == name]
    siloed = [t for t in served if t.tier in silo_tiers]
    if len(pooled) < 2 or not siloed:
        raise DeclarationError("the lifecycle section needs two served pooled tenants and a silo one")
    return LifecyclePlan(
        upgrade=pooled[0],
        to_silo=silo_tiers[0],
        downgrade=siloed[-1],
        to_pooled=pooled_tiers[0],
        leaving=pooled[-1],
    )


def run_lifecycle(
    live: LiveStack,
    stack: DeclaredStack,
    port: int,
    run_dir: Path,
    say: Callable[[str], None],
) -> LifecycleResult:
    """Move a pooled tenant to a silo tier and a silo tenant to a pooled tier while both write; then offboard
    another pooled tenant with `delete` (plan_lifecycle says who)."""
    chosen = plan_lifecycle(stack, live.tiers)
    upgrade, downgrade, leaving = chosen.upgrade, chosen.downgrade, chosen.leaving
    moves = {
        tenant.tenant_id: MoveOutcome(
            tenant.tenant_id,
            tenant.tier,
            tier,
            tenant.keyspace,
            "",
            from_cell=tenant.cell,
            to_cell=target_cell(live.config, tenant.tenant_id, tier),
        )
        for tenant, tier in ((upgrade, chosen.to_silo), (downgrade, chosen.to_pooled))
    }
    s3 = live.cloud.client("s3")
    directory = TenantDirectory.from_s3(
        stack.directory_bucket, stack.directory_prefix, s3=s3, max_age=DIRECTORY_MAX_AGE
    )
    roles = RoleAssumer(stack.region)
    with (
        TenantDataAccess.local(directory, port, roles=roles, outage_deadline=60.0) as dal,
        Cassandra(LocalCassandra(port), roles=roles) as cassandra,
    ):
        before = {tenant_id: tenant_rows(cassandra, tenant_id, move.source) for tenant_id, move in moves.items()}
        writer = TenantWriter(dal, {tenant_id: move.from_tier for tenant_id, move in moves.items()})
        with writer.running():
            digests: dict[str, str] = {}

            def start(raw: dict[str, Any]) -> None:
                for tenant_id, move in moves.items():
                    entry = tenant_entry(raw, tenant_id)
                    entry["tier"] = move.to_tier
                    entry["migration"] = {"from": move.from_tier, "state": "copying"}
                    if move.to_cell is not None:  # with cells: to a cell of its new tier, the old side stays
                        entry["cell"] = move.to_cell
                        entry["migration"]["fromCell"] = move.from_cell

            def step_to(state: str) -> Callable[[dict[str, Any]], None]:
                def edit(raw: dict[str, Any]) -> None:
                    for tenant_id in moves:
                        tenant_entry(raw, tenant_id)["migration"] |= {"state": state, "verified": digests[tenant_id]}

                return edit

            for state, edit in (("copying", start), ("cutover", None), ("done", None)):
                say(f"tier moves: {state}")
                live.apply(f"{', '.join(moves)}: migration {state}", edit or step_to(state))
                records = live.tenants
                for tenant_id, move in moves.items():
                    record = TenantRecord.from_entry(tenant_id, records[tenant_id])
                    move.target = record.keyspace
                    result = run_migration(record, cassandra, run_dir / "migrations" / f"{tenant_id}.json", say=say)
                    if result.digest:
                        digests[tenant_id] = move.digest = result.digest
        if writer.failures:
            raise writer.failures[0]

        def finish(raw: dict[str, Any]) -> None:
            for tenant_id in moves:
                tenant_entry(raw, tenant_id).pop("migration")

        live.apply(f"{', '.join(moves)}: migration block removed", finish)
        for tenant_id, move in moves.items():
            after = tenant_rows(cassandra, tenant_id, move.target)
            # A released silo keyspace is gone (the last step dropped it): nothing of the tenant is left there.
            left = tenant_rows(cassandra, tenant_id, move.source) if move.source in live.keyspaces else {}
            # The writer adds orders only (a new order id each time).
            written = {schema.name: writer.written[tenant_id] if schema is ORDERS else 0 for schema in TENANT_TABLES}
            move.tables = [
                TableMove(table, before[tenant_id][table], written[table], after[table], left.get(table, 0))
                for table in after
            ]

        say(f"offboarding {leaving.tenant_id} with delete")
        prefix = tenant_s3_prefix(leaving.tenant_id)
        rows_before = tenant_rows(cassandra, leaving.tenant_id, leaving.keyspace)
        versions_before = object_versions(s3, stack.bucket, prefix)

        def offboard(raw: dict[str, Any]) -> None:
            tenant_entry(raw, leaving.tenant_id)["status"] = "offboarded"
            tiers = raw.setdefault(TIERS_KEY, {})
            tiers.setdefault(leaving.tier, {})["offboarding"] = "delete"

        live.apply(f"{leaving.tenant_id}: offboarded ({leaving.tier} tier: offboarding delete)", offboard)
        record = TenantRecord.from_entry(leaving.tenant_id, live.tenants[leaving.tenant_id])
        _, receipt = run_offboarding(
            record,
            leaving.tenant_id,
            "delete",
            cassandra=cassandra,
            s3=s3,
            bucket=stack.bucket,
            receipts=run_dir / "receipts",
            say=say,
        )
        offboarded = OffboardOutcome(
            leaving.tenant_id,
            rows_before,
            tenant_rows(cassandra, leaving.tenant_id, leaving.keyspace),
            versions_before,
            object_versions(s3, stack.bucket, prefix),
            receipt,
        )
    return LifecycleResult(list(moves.values()), offboarded, live.steps)


def render_lifecycle(result: LifecycleResult) -> Table:
    """The report's lifecycle section: rows per table before and after each move, and what offboarding left."""
    table = Table(title="Tenant lifecycle (config steps: " + "; ".join(result.steps) + ")", title_justify="left")
    for column in ("tenant", "change", "table", "before", "written during", "after", "left in source", "holds"):
        table.add_column(column)
    for move in result.moves:
        for row in move.tables:
            table.add_row(
                move.tenant_id,
                f"{move.from_tier} -> {move.to_tier} ({move.source} -> {move.target}, verified {move.digest})",
                row.table,
                str(row.before),
                str(row.written),
                str(row.after),
                str(row.left_in_source),
                "yes" if row.equal else "[bold red]NO[/]",
            )
    if result.offboard is not None:
        off = result.offboard
        for name in off.rows_before:
            table.add_row(
                off.tenant_id,
                "offboarded, delete",
                name,
                str(off.rows_before[name]),
                "",
                str(off.rows_after[name]),
                "",
                "yes" if off.rows_after[name] == 0 else "[bold red]NO[/]",
            )
        table.add_row(
            off.tenant_id,
            f"offboarded, delete (receipt {off.receipt.name})",
            "S3 object versions",
            str(off.versions_before),
            "",
            str(off.versions_after),
            "",
            "yes" if off.ok else "[bold red]NO[/]",
        )
    return table


def lifecycle_document(result: LifecycleResult) -> dict[str, Any]:
    """The `lifecycle` member of `make demo`'s JSON."""
    off = result.offboard
    return {
        "ok": result.ok,
        "steps": result.steps,
        "moves": [
            {
                "tenant": m.tenant_id,
                "from": m.from_tier,
                "to": m.to_tier,
                "fromCell": m.from_cell,  # null without cells
                "toCell": m.to_cell,
                "source": m.source,
                "target": m.target,
                "verified": m.digest,
                "tables": {
                    t.table: {
                        "before": t.before,
                        "written": t.written,
                        "after": t.after,
                        "leftInSource": t.left_in_source,
                    }
                    for t in m.tables
                },
            }
            for m in result.moves
        ],
        "offboarded": None
        if off is None
        else {
            "tenant": off.tenant_id,
            "rowsBefore": off.rows_before,
            "rowsAfter": off.rows_after,
            "objectVersionsBefore": off.versions_before,
            "objectVersionsAfter": off.versions_after,
            "receipt": str(off.receipt),
        },
    }
