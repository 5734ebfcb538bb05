"""The lifecycle jobs' pure parts: row checksums, the verified digest, cell groups, the ledger, the next step."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from functions.contracts.directory import TenantRecord
from functions.contracts.migration import VERIFIED_DIGEST
from functions.contracts.tables import CUSTOMERS, ORDERS
from functions.lifecycle.checksum import MASK, TableSummary, row_hash, row_key, verified_digest
from functions.lifecycle.errors import LedgerError, OffboardRefusedError
from functions.lifecycle.ledger import Ledger
from functions.lifecycle.migrate import MigrationResult, next_step, result_document
from functions.lifecycle.offboard import check_deletable
from functions.lifecycle.rows import (
    OLDEST_TIMESTAMP,
    TIMESTAMP_MARGIN,
    TIMESTAMP_PAST_LIMIT,
    cell_groups,
    copy_timestamp,
)
from tests.support.directory_data import DIRECTORY

ORDER_ID = uuid.UUID("9c3e5c8e-c9a1-11f0-8de9-0242ac120002")
ROW: dict[str, Any] = {
    "customer_id": "c1",
    "order_id": ORDER_ID,
    "status": "new",
    "total_cents": 1250,
    "currency": "EUR",
    "items": {"b": 1, "a": 2},
    "created_at": datetime(2026, 11, 23, 10, 0),
}


def test_a_row_hashes_the_same_whatever_its_column_and_map_order() -> None:
    reordered = dict(reversed(list(ROW.items())))
    reordered["items"] = {"a": 2, "b": 1}
    assert row_hash(reordered) == row_hash(ROW)


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "paid"), ("total_cents", 1251), ("items", {"a": 2}), ("order_id", uuid.uuid1()), ("currency", None)],
)
def test_any_changed_value_changes_the_hash(column: str, value: Any) -> None:
    assert row_hash({**ROW, column: value}) != row_hash(ROW)


def test_values_are_tagged_by_type_and_null_is_no_cell() -> None:
    assert row_hash({"k": "1"}) != row_hash({"k": 1})
    assert row_hash({"k": "x", "v": None}) == row_hash({"k": "x"})  # a null column has no cell in Cassandra
    with pytest.raises(TypeError, match="no canonical form for a object"):
        row_hash({"k": object()})


def test_a_table_checksum_is_independent_of_row_order() -> None:
    rows = [{**ROW, "customer_id": f"c{i}", "total_cents": i} for i in range(50)]
    forward = {row_key(r, ORDERS.primary_key): row_hash(r) for r in rows}
    backward = {row_key(r, ORDERS.primary_key): row_hash(r) for r in reversed(rows)}
    assert TableSummary.of(forward) == TableSummary.of(backward)
    assert TableSummary.of(forward).rows == 50
    assert 0 <= TableSummary.of(forward).checksum <= MASK
    missing_one = dict(list(forward.items())[1:])
    assert TableSummary.of(missing_one).checksum != TableSummary.of(forward).checksum


def test_the_verified_digest_is_16_hex_over_tenant_counts_and_checksums() -> None:
    summaries = {"customers": TableSummary(3, 0xABC), "orders": TableSummary(10, 0x123)}
    digest = verified_digest("acme", summaries)
    assert VERIFIED_DIGEST.fullmatch(digest)
    assert verified_digest("acme", dict(reversed(list(summaries.items())))) == digest
    assert verified_digest("globex", summaries) != digest
    assert verified_digest("acme", {**summaries, "orders": TableSummary(11, 0x123)}) != digest
    assert verified_digest("acme", {**summaries, "orders": TableSummary(10, 0x124)}) != digest


def test_cells_are_grouped_by_their_write_time_oldest_first() -> None:
    stored = {
        **ROW,
        "writetime_status": 200,
        "writetime_total_cents": 100,
        "writetime_currency": 100,
        "writetime_items": [200, 150],  # Cassandra 5: one write time per map element; the newest counts
        "writetime_created_at": 100,
    }
    key = {"customer_id": "c1", "order_id": ORDER_ID}
    assert cell_groups(stored, ORDERS) == [
        (100, {**key, "total_cents": 1250, "currency": "EUR", "created_at": ROW["created_at"]}),
        (200, {**key, "status": "new", "items": {"b": 1, "a": 2}}),
    ]


def test_a_row_with_only_its_key_is_copied_with_the_oldest_timestamp() -> None:
    stored = {"tenant_id": "globex", "customer_id": "c1", "name": None, "email": None, "created_at": None}
    assert cell_groups(stored, CUSTOMERS) == [(OLDEST_TIMESTAMP, {"customer_id": "c1"})]


def test_a_copy_timestamp_is_the_source_write_time_unless_older_than_keyspaces_accepts() -> None:
    now = 1_764_000_000_000_000
    floor = now - TIMESTAMP_PAST_LIMIT + TIMESTAMP_MARGIN
    assert copy_timestamp(now - 5_000_000, now) == now - 5_000_000  # recent: its own write time
    assert copy_timestamp(OLDEST_TIMESTAMP, now) == floor  # years old, or a key-only row: the floor
    assert now - floor < TIMESTAMP_PAST_LIMIT  # inside what Amazon Keyspaces accepts
    # A write racing the copy (stamped about now, at least the clock skew Keyspaces allows) still wins.
    assert copy_timestamp(OLDEST_TIMESTAMP, now) < now - 60_000_000


def test_the_ledger_round_trips_and_refuses_another_copys_ledger(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    ledger = Ledger.open(path, "acme", "tenants_pool", "tenant_acme")
    assert ledger.tables == {}
    ledger.table("orders").paging_state = b"\x00\x01page"
    ledger.table("orders").copied = 500
    ledger.table("customers").done = True
    ledger.save()
    again = Ledger.open(path, "acme", "tenants_pool", "tenant_acme")
    assert again.tables == ledger.tables
    with pytest.raises(LedgerError, match="the ledger of another copy"):
        Ledger.open(path, "acme", "tenant_acme", "tenants_pool")
    path.write_text("{not json")
    with pytest.raises(LedgerError, match="cannot read the migration ledger"):
        Ledger.open(path, "acme", "tenants_pool", "tenant_acme")
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "tenant": "acme",
                "source": "tenants_pool",
                "target": "tenant_acme",
                "tables": {"orders": {"pagingState": "zz", "copied": 1, "done": False}},
            }
        )
    )
    with pytest.raises(LedgerError, match="table 'orders'"):
        Ledger.open(path, "acme", "tenants_pool", "tenant_acme")


def test_next_step_prints_the_exact_config_commands_of_each_state() -> None:
    copying = MigrationResult("acme", "copying", digest="0123456789abcdef")
    assert next_step(copying, "tenants[2]", "dev")[1:] == [
        "pulumi config set --path --stack dev 'tenants[2].migration.verified' 0123456789abcdef",
        "pulumi config set --path --stack dev 'tenants[2].migration.state' cutover",
    ]
    cutover = MigrationResult("acme", "cutover", digest="0123456789abcdef")
    assert next_step(cutover, "tenants[2]", None)[1:] == ["pulumi config set --path 'tenants[2].migration.state' done"]
    done = next_step(MigrationResult("acme", "done"), "tenants[2]", "dev")
    assert "remove the migration block" in done[0]
    assert done[1] == "pulumi config rm --path --stack dev 'tenants[2].migration'"


def test_the_result_document_carries_the_digest_of_the_states_that_verify_and_survives_json() -> None:
    copying = MigrationResult("acme", "copying", copied={"orders": 12}, digest="0123456789abcdef", seconds=1.23456)
    document = json.loads(json.dumps(result_document(copying)))
    assert document == {
        "tenant": "acme",
        "state": "copying",
        "verified": copying.digest,
        "copied": {"orders": 12},
        "deleted": {},
        "seconds": 1.235,
    }
    done = result_document(MigrationResult("acme", "done", deleted={"orders": 12}))
    assert done["verified"] is None and done["deleted"] == {"orders": 12}


def test_offboarding_refuses_active_unknown_and_kept_tenants() -> None:
    active = TenantRecord.from_entry("acme", DIRECTORY["acme"])
    offboarded = TenantRecord.from_entry("umbrella", DIRECTORY["umbrella"])
    with pytest.raises(OffboardRefusedError, match="'acme' is active"):
        check_deletable(active, "acme", "delete")
    with pytest.raises(OffboardRefusedError, match="not in the tenant directory"):
        check_deletable(None, "nobody", "delete")
    with pytest.raises(OffboardRefusedError, match="offboards with 'retain', which keeps its data"):
        check_deletable(offboarded, "umbrella", "retain")
    assert check_deletable(offboarded, "umbrella", "delete") is offboarded
