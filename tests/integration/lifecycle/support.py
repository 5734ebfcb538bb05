"""Tenants, records and a concurrent writer for the lifecycle jobs' tests on the real Cassandra."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cassandra.cluster import Session

from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.migration import MigrationRecord, MigrationState
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tables import CUSTOMERS, ORDERS, TENANT_TABLES, TableSchema
from functions.dal import TenantContext, TenantDataAccess, TenantDirectory, tenant_scope
from functions.dal.bootstrap import bootstrap_keyspaces
from functions.lifecycle.checksum import TableSummary, row_hash, row_key
from functions.lifecycle.store import Cassandra
from tests.support.directory_data import ACCOUNT, POOLED_ROLE
from tests.support.tenant_rows import customer, order


def new_tenant(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def own_role(tenant_id: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/tenant-pipeline-test-tenant-{tenant_id}"


def served(tenant_id: str, tier: str, status: str = "active") -> TenantRecord:
    """A tenant not moving: basic in the pool, premium in its own keyspace."""
    keyspace = POOLED_KEYSPACE if tier == "basic" else silo_keyspace(tenant_id)
    role = (POOLED_ROLE if tier == "basic" else own_role(tenant_id)) if status == "active" else None
    return TenantRecord(tenant_id, tier, status, keyspace, tenant_s3_prefix(tenant_id), role)


def moving(tenant_id: str, from_tier: str, state: MigrationState, verified: str | None = None) -> TenantRecord:
    """The record of a tenant moving from `from_tier` to the other tier, in `state`."""
    source, target = served(tenant_id, from_tier), served(tenant_id, "premium" if from_tier == "basic" else "basic")
    if state != "copying" and verified is None:
        verified = "0" * 16
    role = None if state == "done" else source.role_arn
    migration = MigrationRecord(from_tier, state, source.keyspace, role, verified)
    return TenantRecord(tenant_id, target.tier, "active", target.keyspace, target.s3_prefix, target.role_arn, migration)


def create_storages(session: Session, tenant_id: str) -> None:
    """Both storages of a moving tenant, as the program declares them: the pool and its own keyspace."""
    bootstrap_keyspaces(session, [POOLED_KEYSPACE, silo_keyspace(tenant_id)])


def context_of(record: TenantRecord) -> TenantContext:
    return TenantContext(record.tenant_id, record.tier)


@contextmanager
def dal_for(port: int, record: TenantRecord) -> Iterator[TenantDataAccess]:
    with TenantDataAccess.local(TenantDirectory({record.tenant_id: record}), port, outage_deadline=60.0) as dal:
        yield dal


@dataclass
class Model:
    """What the tenant's tables must hold: table -> row key -> row, as the DAL was told to write it."""

    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {t.name: {} for t in TENANT_TABLES})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, dal: TenantDataAccess, table: TableSchema, row: dict[str, Any]) -> None:
        with self.lock:  # the model and the store change together: the last write in the model is the last stored
            dal.table(table.name).put(row)
            key = row_key(row, table.primary_key)
            self.rows[table.name][key] = {**self.rows[table.name].get(key, {}), **row}

    def delete(self, dal: TenantDataAccess, table: TableSchema, row: dict[str, Any]) -> None:
        with self.lock:
            dal.table(table.name).delete(**{k: row[k] for k in table.primary_key})
            self.rows[table.name].pop(row_key(row, table.primary_key), None)

    def summary(self, table: TableSchema) -> TableSummary:
        return TableSummary.of({key: row_hash(row) for key, row in self.rows[table.name].items()})


def seed(dal: TenantDataAccess, record: TenantRecord, model: Model, customers: int = 120) -> None:
    """Rows of every table, some written twice with different columns (cells with different write times)."""
    with tenant_scope(context_of(record)):
        for i in range(customers):
            customer_id = f"c{i:04d}"
            model.put(dal, CUSTOMERS, customer(customer_id, f"Name{i}"))
            if i % 3 == 0:
                model.put(dal, CUSTOMERS, {"customer_id": customer_id, "name": f"Renamed{i}"})
            for j in range(2):
                model.put(dal, ORDERS, order(customer_id, status=f"s{j}", total=100 * i + j))
        model.put(dal, CUSTOMERS, {"customer_id": "keys-only"})  # a row with no cell but its key


class Writer(threading.Thread):
    """The tenant writing while the job runs: new rows, updates and deletes through the DAL, until stopped."""

    def __init__(self, dal: TenantDataAccess, record: TenantRecord, model: Model, seed_value: int = 7):
        super().__init__(daemon=True)
        self.dal, self.record, self.model = dal, record, model
        self.random = random.Random(seed_value)
        self.stop = threading.Event()
        self.operations = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with tenant_scope(context_of(self.record)):
                while not self.stop.is_set():
                    self.step()
                    self.operations += 1
        except BaseException as error:  # surfaced by finish()
            self.error = error

    def step(self) -> None:
        pick = self.random.random()
        existing = list(self.model.rows[ORDERS.name].values())
        if pick < 0.4:
            self.model.put(self.dal, ORDERS, order(f"c{self.random.randrange(200):04d}", status="live"))
        elif pick < 0.6 and existing:
            row = self.random.choice(existing)
            self.model.put(self.dal, ORDERS, {**{k: row[k] for k in ORDERS.primary_key}, "status": "updated"})
        elif pick < 0.8 and existing:
            self.model.delete(self.dal, ORDERS, self.random.choice(existing))
        else:
            customer_id = f"c{self.random.randrange(200):04d}"
            if self.random.random() < 0.5:
                self.model.put(self.dal, CUSTOMERS, customer(customer_id, "Live"))
            else:
                self.model.delete(self.dal, CUSTOMERS, {"customer_id": customer_id})

    def finish(self) -> int:
        self.stop.set()
        self.join(timeout=30)
        if self.error is not None:
            raise self.error
        return self.operations


def stored_summaries(cassandra: Cassandra, tenant_id: str, keyspace: str) -> dict[str, TableSummary]:
    """Each table's rows and checksum for the tenant in `keyspace`, read under the DAL."""
    summaries = {}
    for table in TENANT_TABLES:
        side = cassandra.side(tenant_id, keyspace, None, table)
        summaries[table.name] = TableSummary.of({row_key(row, table.primary_key): row_hash(row) for row in side.rows()})
    return summaries
