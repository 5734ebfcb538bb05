"""Where the DAL's reads and writes go for a migrating tenant, without a Cassandra: sessions that record
what they are given. Reads: the record's read_keyspace. Writes: every write keyspace, one timestamp."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pytest

from functions.contracts.directory import TenantRecord
from functions.contracts.migration import MigrationRecord, MigrationState
from functions.contracts.tables import CUSTOMERS
from functions.dal import TenantContext, tenant_scope
from functions.dal.errors import DalError, DalUsageError
from functions.dal.sessions import Storage, TenantConnection
from functions.dal.tables import TenantTable
from tests.support.directory_data import DIRECTORY, POOLED_ROLE

T = TypeVar("T")


@dataclass
class Bound:
    text: str
    values: list[Any]
    is_idempotent: bool = True


@dataclass
class Prepared:
    text: str
    is_idempotent: bool = False

    def bind(self, values: list[Any]) -> Bound:
        return Bound(self.text, list(values))


@dataclass
class _Result:
    def one(self) -> None:
        return None

    def result(self) -> None:
        return None


@dataclass
class RecordingSession:
    """What one storage's session was asked to run."""

    executed: list[Bound] = field(default_factory=list)

    def prepare(self, text: str) -> Prepared:
        return Prepared(text)

    def execute(self, bound: Bound) -> _Result:
        self.executed.append(bound)
        return _Result()

    def execute_async(self, bound: Bound) -> _Result:
        return self.execute(bound)


class Router:
    def __init__(self, connection: TenantConnection):
        self.connection = connection

    def connection_for(self, context: TenantContext) -> TenantConnection:
        return self.connection

    def run(self, call: Callable[[], T], idempotent: bool, tenant_id: str) -> T:
        return call()

    def refused(self, error: DalError) -> None:
        raise AssertionError(error)


def moving(state: MigrationState) -> TenantRecord:
    """globex, basic, moving to premium (its own keyspace)."""
    target = TenantRecord.from_entry("globex", {**DIRECTORY["globex"]})
    own_role = "arn:aws:iam::123456789012:role/tenant-pipeline-test-tenant-globex"
    migration = MigrationRecord("basic", state, target.keyspace, None if state == "done" else POOLED_ROLE, "0" * 16)
    return TenantRecord("globex", "premium", "active", "tenant_globex", target.s3_prefix, own_role, migration)


def table_for(record: TenantRecord) -> tuple[TenantTable, dict[str, RecordingSession]]:
    sessions = {keyspace: RecordingSession() for keyspace in record.write_keyspaces}
    storages = tuple(
        Storage(keyspace, None, cast(Any, None), cast(Any, session)) for keyspace, session in sessions.items()
    )
    return TenantTable(Router(TenantConnection(record, storages)), CUSTOMERS), sessions


@pytest.mark.parametrize(
    ("state", "reads", "writes"),
    [
        ("copying", "tenants_pool", {"tenants_pool", "tenant_globex"}),
        ("cutover", "tenant_globex", {"tenants_pool", "tenant_globex"}),
        ("done", "tenant_globex", {"tenant_globex"}),
    ],
)
def test_reads_go_to_the_read_keyspace_and_writes_to_each_write_keyspace_with_one_timestamp(
    state: MigrationState, reads: str, writes: set[str]
) -> None:
    record = moving(state)
    customers, sessions = table_for(record)
    with tenant_scope(TenantContext("globex", "premium")):
        customers.put({"customer_id": "c1", "name": "Ada"})
        customers.delete(customer_id="c1")
        customers.get(customer_id="c1")
    written = {keyspace for keyspace, s in sessions.items() if any(b.text.startswith("INSERT") for b in s.executed)}
    assert written == writes
    read = [keyspace for keyspace, s in sessions.items() if any(b.text.startswith("SELECT") for b in s.executed)]
    assert read == [reads]
    for verb in ("INSERT", "DELETE"):
        statements = [b for s in sessions.values() for b in s.executed if b.text.startswith(verb)]
        assert all("USING TIMESTAMP ?" in b.text for b in statements)
        timestamp = statements[0].values[-1] if verb == "INSERT" else statements[0].values[0]
        stamps = {b.values[-1] if verb == "INSERT" else b.values[0] for b in statements}
        assert stamps == {timestamp} and isinstance(timestamp, int) and timestamp > 1_700_000_000_000_000
    if "tenants_pool" in writes:  # the pooled copy binds the tenant id first, the silo copy does not
        pooled = next(b for b in sessions["tenants_pool"].executed if b.text.startswith("INSERT"))
        assert pooled.values[:2] == ["globex", "c1"]


def test_a_connection_must_hold_exactly_the_write_keyspaces() -> None:
    record = moving("copying")
    only_target = (Storage("tenant_globex", None, cast(Any, None), cast(Any, RecordingSession())),)
    with pytest.raises(DalUsageError, match="are not its write keyspaces"):
        TenantConnection(record, only_target)
