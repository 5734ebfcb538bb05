"""The slice index without S3: which keys are slices, what a valid slice holds, and which record wins when a
tenant is in two slices (a move between cells)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.contracts.cells import DIRECTORY_PREFIX, PLATFORM_SLICE, slice_key
from functions.directory.slices import Slice, listed_slices, merge, prefix_problem, read_slice, slice_cell
from tests.support.authorizer import directory_entry
from tests.support.slices import slice_json

WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ENTRIES = {"acme": directory_entry("acme", "premium"), "globex": directory_entry("globex", "basic")}


def read(cell: str, body: bytes, when: datetime = WHEN) -> Slice:
    """`body` read as the slice of `cell`, written at `when`."""
    key = slice_key(cell)
    return read_slice(key, cell, body, etag='"etag"', last_modified=when, source=f"s3://bucket/{key}")


def slice_of(cell: str, entries: dict[str, dict[str, Any]], when: datetime = WHEN) -> Slice:
    """The slice `cell` publishes holding `entries`."""
    return read(cell, slice_json(cell, entries).encode(), when)


@pytest.mark.parametrize("cell", ["basic-1", "premium-12", "tier2-3", PLATFORM_SLICE])
def test_a_slice_key_names_its_cell_under_any_prefix(cell: str) -> None:
    assert slice_cell(slice_key(cell), DIRECTORY_PREFIX) == cell
    assert slice_cell(f"tests/run-1/tenants/{cell}.json", "tests/run-1/tenants/") == cell


@pytest.mark.parametrize(
    "key",
    [
        "tenants/README.txt",
        "tenants/basic-1.json.bak",
        "tenants/old/basic-1.json",  # a folder below the prefix
        "tenants/Basic-1.json",  # not a cell name
        "tenants/basic.json",  # a tier, not a cell
        "tenants/basic-0.json",  # cells count from 1
        "tenants/.json",
        "tenants.json",  # the single document from before cells: not under the prefix
        "other/basic-1.json",
    ],
)
def test_other_objects_are_not_slices(key: str) -> None:
    assert slice_cell(key, DIRECTORY_PREFIX) is None


def test_a_listing_keeps_the_slices_and_counts_the_rest() -> None:
    contents = [
        {"Key": "tenants/basic-1.json", "ETag": '"a"'},
        {"Key": "tenants/notes.txt", "ETag": '"b"'},
        {"Key": "tenants/premium-1.json", "ETag": '"c"'},
    ]
    slices, others = listed_slices(contents, DIRECTORY_PREFIX)
    assert [(entry.key, entry.cell, entry.etag) for entry in slices] == [
        ("tenants/basic-1.json", "basic-1", '"a"'),
        ("tenants/premium-1.json", "premium-1", '"c"'),
    ]
    assert others == 1


@pytest.mark.parametrize("prefix", ["tenants/", "tests/abc/tenants/", "/"])
def test_a_prefix_ends_with_a_slash(prefix: str) -> None:
    assert prefix_problem(prefix) is None


@pytest.mark.parametrize("prefix", ["", "tenants", "tenants/*", None])
def test_a_prefix_without_its_slash_is_refused_naming_the_rule(prefix: object) -> None:
    assert (
        prefix_problem(prefix)
        == f"{prefix!r} is not a key prefix that ends with '/' (the default: tenants/), at most 1024 bytes"
    )


def test_a_prefix_over_s3s_key_length_is_refused() -> None:
    assert prefix_problem("k" * 1024 + "/") == "is longer than 1024 bytes"


def test_a_valid_slice_holds_records_naming_its_cell() -> None:
    part = slice_of("basic-1", ENTRIES)
    assert part.problem is None
    assert part.records is not None
    assert sorted(part.records) == sorted(ENTRIES)
    assert {record.cell for record in part.records.values()} == {"basic-1"}


def test_the_platform_slice_holds_records_naming_no_cell() -> None:
    part = slice_of(PLATFORM_SLICE, ENTRIES)
    assert part.records is not None
    assert {record.cell for record in part.records.values()} == {None}


def test_a_record_naming_another_cell_refuses_the_whole_slice() -> None:
    part = read("basic-1", slice_json("basic-2", ENTRIES).encode())  # records naming basic-2, as basic-1's slice
    assert part.records is None
    assert part.problem == (
        "is not a valid slice: every record must name its cell 'basic-1', "
        "but 'acme' names 'basic-2', 'globex' names 'basic-2'"
    )


def test_a_record_naming_a_cell_refuses_the_platform_slice_and_vice_versa() -> None:
    named = read(PLATFORM_SLICE, slice_json("basic-1", ENTRIES).encode())
    assert named.problem is not None and named.problem.startswith(
        "is not a valid slice: every record must name no cell"
    )
    unnamed = read("basic-1", slice_json(PLATFORM_SLICE, ENTRIES).encode())
    assert unnamed.problem is not None and "'acme' names None" in unnamed.problem


def test_a_refused_slice_names_a_few_of_its_stray_records() -> None:
    many = {f"t{n:02d}": directory_entry(f"t{n:02d}", "basic") for n in range(12)}
    part = read("basic-1", slice_json("basic-2", many).encode())
    assert part.problem is not None
    assert part.problem.count(" names 'basic-2'") == 5
    assert part.problem.endswith(f"and {len(many) - 5} more")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"version": 2, "tenants": {}}'])
def test_a_slice_that_is_not_a_directory_document_is_refused_with_the_reason(body: bytes) -> None:
    part = read("basic-1", body)
    assert part.records is None
    assert part.problem is not None
    assert part.problem.startswith("is not a valid tenant directory: s3://bucket/tenants/basic-1.json ")


def test_slices_merge_into_one_directory() -> None:
    merged = merge(
        [slice_of("premium-1", {"acme": ENTRIES["acme"]}), slice_of("basic-1", {"globex": ENTRIES["globex"]})]
    )
    assert {tenant_id: record.cell for tenant_id, record in merged.items()} == {
        "acme": "premium-1",
        "globex": "basic-1",
    }


def test_a_tenant_in_two_slices_takes_the_newer_slices_record_in_either_order() -> None:
    moved = directory_entry("acme", "basic")
    old = slice_of("premium-1", ENTRIES, WHEN)  # written before the roster moved acme
    new = slice_of("basic-2", {"acme": moved}, WHEN + timedelta(seconds=1))
    assert new.key < old.key  # the time decides, not the key order (which breaks ties)
    for order in ([old, new], [new, old]):
        merged = merge(order)
        assert (merged["acme"].cell, merged["acme"].tier) == ("basic-2", "basic")
        assert merged["globex"].cell == "premium-1"  # the old slice's other tenants stay


def test_two_slices_written_in_the_same_second_resolve_alike_for_every_reader() -> None:
    first = slice_of("basic-1", ENTRIES, WHEN)
    second = slice_of("basic-2", {"globex": ENTRIES["globex"]}, WHEN)
    winner = max((first, second), key=lambda part: part.key)  # the key that sorts last
    assert merge([first, second])["globex"].cell == merge([second, first])["globex"].cell == winner.cell
