"""The directory reader against moto's S3: one download, then conditional GETs (If-None-Match on the ETag)
once the cached copy is older than its max age; a bad or missing document fails closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from functions.directory.errors import DirectoryError, DirectoryUnavailableError
from functions.directory.reader import DirectoryReader
from local.services.moto_server import MotoServer
from tests.support.authorizer import DIRECTORY, ManualClock, client, directory_entry, directory_json

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-directory-reader-tests"
MAX_AGE = 60.0


@pytest.fixture(scope="module")
def s3(moto_server: MotoServer) -> Any:
    s3 = client("s3", moto_server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
def key() -> str:
    return f"{uuid.uuid4().hex}/tenants.json"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def put(s3: Any, key: str) -> Callable[[bytes], None]:
    return lambda body: s3.put_object(Bucket=BUCKET, Key=key, Body=body)


@pytest.fixture
def reader(s3: Any, key: str, clock: ManualClock) -> DirectoryReader:
    return DirectoryReader(s3, BUCKET, key, max_age=MAX_AGE, clock=clock)


def test_the_document_is_downloaded_once_and_served_from_memory_within_the_max_age(
    reader: DirectoryReader, put: Callable[[bytes], None], clock: ManualClock
) -> None:
    put(directory_json(DIRECTORY).encode())

    first = reader.records()
    clock.advance(MAX_AGE - 1)
    put(directory_json({**DIRECTORY, "globex": directory_entry("globex", "premium")}).encode())

    assert reader.records() is first
    assert sorted(first) == sorted(DIRECTORY)
    assert first["globex"].tier == "basic"
    assert (reader.fetches, reader.downloads) == (1, 1)


def test_an_unchanged_document_is_kept_on_a_not_modified_answer(
    reader: DirectoryReader, put: Callable[[bytes], None], clock: ManualClock
) -> None:
    put(directory_json(DIRECTORY).encode())
    first = reader.records()

    for _ in range(3):
        clock.advance(MAX_AGE)
        assert reader.records() is first

    assert (reader.fetches, reader.downloads) == (4, 1)  # three conditional GETs answered 304


def test_a_changed_document_is_read_after_the_max_age(
    reader: DirectoryReader, put: Callable[[bytes], None], clock: ManualClock
) -> None:
    put(directory_json(DIRECTORY).encode())
    assert reader.get("globex").tier == "basic"  # type: ignore[union-attr]

    put(directory_json({**DIRECTORY, "globex": directory_entry("globex", "premium")}).encode())
    clock.advance(MAX_AGE)

    assert reader.get("globex").tier == "premium"  # type: ignore[union-attr]
    assert reader.get("hooli") is None
    assert (reader.fetches, reader.downloads) == (2, 2)


def test_a_bad_document_fails_closed_until_a_good_one_is_published(
    reader: DirectoryReader, put: Callable[[bytes], None], clock: ManualClock
) -> None:
    put(directory_json(DIRECTORY).encode())
    reader.records()
    put(b'{"version": 1, "tenants": {"acme": {"tier": "premium"}}}')
    clock.advance(MAX_AGE)

    for _ in range(2):  # the bad document is remembered: not downloaded again within the max age
        with pytest.raises(DirectoryUnavailableError, match=r"is not a valid tenant directory: .*'acme'.*missing"):
            reader.records()
    assert reader.downloads == 2
    clock.advance(MAX_AGE)
    with pytest.raises(DirectoryUnavailableError):  # still the same bad document (304)
        reader.records()
    assert reader.downloads == 2

    put(directory_json(DIRECTORY).encode())
    clock.advance(MAX_AGE)
    assert sorted(reader.records()) == sorted(DIRECTORY)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"version": 2, "tenants": {}}', b'{"version": 1}'])
def test_a_document_that_is_not_a_directory_is_refused_with_its_reason(
    reader: DirectoryReader, put: Callable[[bytes], None], body: bytes
) -> None:
    put(body)

    with pytest.raises(DirectoryUnavailableError, match=rf"^s3://{BUCKET}/.* is not a valid tenant directory: "):
        reader.records()


def test_a_missing_object_fails_closed_and_is_tried_again_on_the_next_read(
    reader: DirectoryReader, put: Callable[[bytes], None]
) -> None:
    with pytest.raises(DirectoryUnavailableError, match=r"cannot read s3://.*: NoSuchKey \(404\)"):
        reader.records()

    put(directory_json(DIRECTORY).encode())
    assert "acme" in reader.records()
    assert reader.fetches == 2


def test_the_max_age_is_not_negative(s3: Any) -> None:
    with pytest.raises(DirectoryError, match="max age must be 0 or more seconds, got -1"):
        DirectoryReader(s3, BUCKET, "tenants.json", max_age=-1)
