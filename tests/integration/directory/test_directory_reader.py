"""The directory reader against moto's S3: every slice under the prefix, listed then downloaded; after the max age
one LIST, and a GET only for a slice whose ETag changed; a bad slice, a failed request or no slice fails closed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from functions.contracts.cells import PLATFORM_SLICE
from functions.directory.errors import DirectoryError, DirectoryUnavailableError
from functions.directory.reader import DirectoryReader
from local.services.moto_server import MotoServer
from tests.support.authorizer import DIRECTORY, ManualClock, client, directory_entry
from tests.support.slices import own_prefix, put_slice

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-directory-reader-tests"
MAX_AGE = 60.0
# The test directory over two cells: premium tenants in premium-1, the others in basic-1.
CELLS = {
    "premium-1": {tenant_id: entry for tenant_id, entry in DIRECTORY.items() if entry["tier"] == "premium"},
    "basic-1": {tenant_id: entry for tenant_id, entry in DIRECTORY.items() if entry["tier"] != "premium"},
}


@pytest.fixture(scope="module")
def s3(moto_server: MotoServer) -> Any:
    s3 = client("s3", moto_server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
def prefix() -> str:
    return own_prefix()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def reader(s3: Any, prefix: str, clock: ManualClock) -> DirectoryReader:
    return DirectoryReader(s3, BUCKET, prefix, max_age=MAX_AGE, clock=clock)


def publish(s3: Any, prefix: str, cells: dict[str, dict[str, dict[str, Any]]]) -> None:
    for cell, entries in cells.items():
        put_slice(s3, BUCKET, prefix, cell, entries)


def counts(reader: DirectoryReader) -> tuple[int, int, int]:
    return reader.lists, reader.fetches, reader.downloads


def next_second() -> None:
    """S3 (and moto) keep LastModified in whole seconds: wait for the next one."""
    time.sleep(1.02 - time.time() % 1)


def test_every_slice_is_read_and_served_as_one_directory(s3: Any, prefix: str, reader: DirectoryReader) -> None:
    publish(s3, prefix, CELLS)

    records = reader.records()

    assert sorted(records) == sorted(DIRECTORY)
    assert {tenant_id: record.cell for tenant_id, record in records.items()} == {
        tenant_id: cell for cell, entries in CELLS.items() for tenant_id in entries
    }
    assert counts(reader) == (1, len(CELLS), len(CELLS))


def test_within_the_max_age_no_request_is_sent(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    first = reader.records()
    clock.advance(MAX_AGE - 1)
    put_slice(s3, BUCKET, prefix, "basic-1", {**CELLS["basic-1"], "globex": directory_entry("globex", "standard")})

    assert reader.records() is first
    assert first["globex"].tier == "basic"
    assert counts(reader) == (1, len(CELLS), len(CELLS))


def test_an_unchanged_directory_costs_one_list_per_max_age(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    first = reader.records()

    refreshes = 3
    for _ in range(refreshes):
        clock.advance(MAX_AGE)
        assert reader.records() is first  # the same records: nothing downloaded, nothing merged again

    assert counts(reader) == (1 + refreshes, len(CELLS), len(CELLS))


def test_only_a_changed_slice_is_downloaded_again(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    reader.records()

    put_slice(s3, BUCKET, prefix, "basic-1", {**CELLS["basic-1"], "globex": directory_entry("globex", "standard")})
    clock.advance(MAX_AGE)

    assert reader.get("globex").tier == "standard"  # type: ignore[union-attr]
    assert reader.get("acme").tier == "premium"  # type: ignore[union-attr]  # the other slice, kept
    assert counts(reader) == (2, len(CELLS) + 1, len(CELLS) + 1)


def test_a_slice_that_disappears_takes_its_tenants_with_it(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    reader.records()

    s3.delete_object(Bucket=BUCKET, Key=f"{prefix}premium-1.json")
    clock.advance(MAX_AGE)

    assert sorted(reader.records()) == sorted(CELLS["basic-1"])
    assert counts(reader) == (2, len(CELLS), len(CELLS))


def test_objects_under_the_prefix_that_are_not_slices_are_ignored(
    s3: Any, prefix: str, reader: DirectoryReader
) -> None:
    publish(s3, prefix, CELLS)
    for key in ("README.txt", "old/basic-2.json", "Basic-2.json", "basic-2.json.bak"):
        s3.put_object(Bucket=BUCKET, Key=prefix + key, Body=b"not a slice")

    assert sorted(reader.records()) == sorted(DIRECTORY)
    assert reader.fetches == len(CELLS)


def test_the_listing_is_read_to_its_last_page(s3: Any, prefix: str, clock: ManualClock) -> None:
    cells = {f"basic-{n}": {f"tenant-{n}": directory_entry(f"tenant-{n}", "basic")} for n in range(1, 6)}
    publish(s3, prefix, cells)
    page_size = 2

    class SmallPages:
        """moto's S3 client, asking for `page_size` keys a page: S3 pages by 1,000."""

        def __init__(self, s3: Any):
            self._s3 = s3

        def list_objects_v2(self, **request: Any) -> Any:
            return self._s3.list_objects_v2(**request, MaxKeys=page_size)

        def get_object(self, **request: Any) -> Any:
            return self._s3.get_object(**request)

    reader = DirectoryReader(SmallPages(s3), BUCKET, prefix, max_age=MAX_AGE, clock=clock)

    assert sorted(reader.records()) == sorted(f"tenant-{n}" for n in range(1, 6))
    assert reader.lists == -(-len(cells) // page_size)


def test_the_platform_slice_of_an_environment_without_cells_is_read(
    s3: Any, prefix: str, reader: DirectoryReader
) -> None:
    put_slice(s3, BUCKET, prefix, PLATFORM_SLICE, DIRECTORY)

    assert {record.cell for record in reader.records().values()} == {None}
    assert sorted(reader.records()) == sorted(DIRECTORY)


def test_a_tenant_in_two_slices_is_served_from_the_newer_one(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    # globex moves from basic-1 to a premium cell: the new cell publishes first, the old one later.
    publish(s3, prefix, CELLS)
    next_second()
    moved = {**CELLS["premium-1"], "globex": directory_entry("globex", "premium")}
    put_slice(s3, BUCKET, prefix, "premium-1", moved)

    record = reader.get("globex")
    assert record is not None and (record.cell, record.tier, record.keyspace) == (
        "premium-1",
        "premium",
        "tenant_globex",
    )

    next_second()  # the old cell republishes without globex: nothing changes for it
    put_slice(s3, BUCKET, prefix, "basic-1", {k: v for k, v in CELLS["basic-1"].items() if k != "globex"})
    clock.advance(MAX_AGE)
    assert reader.get("globex") == record


def test_the_newer_slice_wins_whatever_its_key(s3: Any, prefix: str, reader: DirectoryReader) -> None:
    # acme moves from premium-1 to a cell whose key sorts first: the time decides, not the key (which breaks ties).
    publish(s3, prefix, CELLS)
    next_second()
    put_slice(s3, BUCKET, prefix, "basic-2", {"acme": directory_entry("acme", "basic")})
    assert f"{prefix}basic-2.json" < f"{prefix}premium-1.json"

    record = reader.get("acme")
    assert record is not None and (record.cell, record.tier) == ("basic-2", "basic")


def test_a_record_naming_another_cell_fails_closed_naming_the_slice(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    reader.records()
    # basic-1's slice holding a record that names premium-1: published by the wrong cell.
    body = s3.get_object(Bucket=BUCKET, Key=f"{prefix}premium-1.json")["Body"].read()
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}basic-1.json", Body=body)
    clock.advance(MAX_AGE)

    for _ in range(2):  # remembered by its ETag: not downloaded again
        with pytest.raises(
            DirectoryUnavailableError,
            match=rf"^s3://{BUCKET}/{prefix}basic-1.json \(ETag .*\) is not a valid slice: every record must name "
            r"its cell 'basic-1', but 'acme' names 'premium-1'",
        ):
            reader.records()
    clock.advance(MAX_AGE)
    with pytest.raises(DirectoryUnavailableError):  # still listed with the same ETag: still refused, no GET
        reader.records()
    assert counts(reader) == (3, len(CELLS) + 1, len(CELLS) + 1)

    put_slice(s3, BUCKET, prefix, "basic-1", CELLS["basic-1"])
    clock.advance(MAX_AGE)
    assert sorted(reader.records()) == sorted(DIRECTORY)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"version": 2, "tenants": {}}', b'{"version": 1}'])
def test_a_slice_that_is_not_a_directory_refuses_every_tenant_with_its_reason(
    s3: Any, prefix: str, reader: DirectoryReader, body: bytes
) -> None:
    publish(s3, prefix, CELLS)
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}basic-2.json", Body=body)

    with pytest.raises(
        DirectoryUnavailableError,
        match=rf"^s3://{BUCKET}/{prefix}basic-2.json \(ETag .*\) is not a valid tenant directory: ",
    ):
        reader.get("acme")  # a tenant of a good slice is refused too: no partial directory


def test_no_slice_under_the_prefix_fails_closed_and_says_so(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}notes.txt", Body=b"not a slice")

    with pytest.raises(
        DirectoryUnavailableError,
        match=rf"^no tenant directory slice \(<cell>.json\) found under s3://{BUCKET}/{prefix} "
        r"\(1 other objects there, none a slice\)$",
    ):
        reader.records()

    publish(s3, prefix, CELLS)
    clock.advance(MAX_AGE)
    assert sorted(reader.records()) == sorted(DIRECTORY)


def test_a_listing_that_fails_fails_closed_and_is_tried_again_on_the_next_read(s3: Any, clock: ManualClock) -> None:
    missing = "tenant-pipeline-no-such-directory"
    reader = DirectoryReader(s3, missing, max_age=MAX_AGE, clock=clock)

    for attempt in (1, 2):
        with pytest.raises(
            DirectoryUnavailableError, match=rf"^cannot list s3://{missing}/tenants/: NoSuchBucket \(404\)$"
        ):
            reader.records()
        assert reader.lists == attempt


def test_a_slice_that_cannot_be_read_fails_closed_and_is_tried_again(s3: Any, prefix: str, clock: ManualClock) -> None:
    publish(s3, prefix, CELLS)
    gone = f"{prefix}basic-1.json"

    class DeletedAfterListing:
        """moto's S3 client; the first listing is followed by the deletion of one slice, before its GET."""

        def __init__(self, s3: Any):
            self._s3 = s3
            self.deleted = False

        def list_objects_v2(self, **request: Any) -> Any:
            page = self._s3.list_objects_v2(**request)
            if not self.deleted:
                self._s3.delete_object(Bucket=BUCKET, Key=gone)
                self.deleted = True
            return page

        def get_object(self, **request: Any) -> Any:
            return self._s3.get_object(**request)

    reader = DirectoryReader(DeletedAfterListing(s3), BUCKET, prefix, max_age=MAX_AGE, clock=clock)

    with pytest.raises(DirectoryUnavailableError, match=rf"^cannot read s3://{BUCKET}/{gone}: NoSuchKey \(404\)$"):
        reader.records()
    assert sorted(reader.records()) == sorted(CELLS["premium-1"])  # the next read lists again: basic-1 is gone
    assert reader.lists == 2
    assert reader.downloads == 1  # premium-1's slice, downloaded once: kept through the failed refresh


def test_changed_slices_are_downloaded_several_at_once(s3: Any, prefix: str, clock: ManualClock) -> None:
    publish(s3, prefix, CELLS)
    together = threading.Barrier(len(CELLS), timeout=10)  # broken unless every slice's GET is in flight at once

    class Meeting:
        """moto's S3 client; each GET waits for the others before it is sent."""

        def __init__(self, s3: Any):
            self._s3 = s3

        def list_objects_v2(self, **request: Any) -> Any:
            return self._s3.list_objects_v2(**request)

        def get_object(self, **request: Any) -> Any:
            together.wait()
            return self._s3.get_object(**request)

    reader = DirectoryReader(Meeting(s3), BUCKET, prefix, max_age=MAX_AGE, clock=clock)

    assert sorted(reader.records()) == sorted(DIRECTORY)
    assert counts(reader) == (1, len(CELLS), len(CELLS))


def test_concurrent_readers_share_one_refresh(
    s3: Any, prefix: str, reader: DirectoryReader, clock: ManualClock
) -> None:
    publish(s3, prefix, CELLS)
    reader.records()
    clock.advance(MAX_AGE)
    threads = 8
    start = threading.Barrier(threads)
    seen: list[int] = []

    def read() -> None:
        start.wait()
        seen.append(len(reader.records()))

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert seen == [len(DIRECTORY)] * threads
    assert reader.lists == 2


def test_the_settings_are_checked(s3: Any) -> None:
    with pytest.raises(DirectoryError, match="max age must be 0 or more seconds, got -1"):
        DirectoryReader(s3, BUCKET, max_age=-1)
    with pytest.raises(
        DirectoryError, match=r"^the directory's prefix 'tenants' is not a key prefix that ends with '/'"
    ):
        DirectoryReader(s3, BUCKET, "tenants")
