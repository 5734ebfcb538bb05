"""The jobs' `--directory`: the published slices on S3 (moto, through the shared reader) or a file holding a
directory document or the stack output `tenants`; what cannot be read is a LifecycleError naming it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from functions.contracts.directory import TenantRecord
from functions.lifecycle.errors import JobUsageError, StorageError
from functions.lifecycle.job import read_directory
from local.services.moto_server import MotoServer
from tests.support.authorizer import client, directory_json
from tests.support.directory_data import DIRECTORY
from tests.support.slices import own_prefix, put_slice

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-lifecycle-directory-tests"
RECORDS = {tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in DIRECTORY.items()}


@pytest.fixture
def bucket(aws_env: MotoServer) -> str:
    s3 = client("s3", aws_env.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def publish(endpoint: str, cells: dict[str, dict[str, Any]]) -> str:
    """The slices of `cells` under a prefix of their own; the job's --directory for them."""
    prefix = own_prefix()
    for cell, entries in cells.items():
        put_slice(client("s3", endpoint), BUCKET, prefix, cell, entries)
    return f"s3://{BUCKET}/{prefix}"


def test_the_published_slices_are_read_from_s3(bucket: str, aws_env: MotoServer) -> None:
    premium = {tenant_id for tenant_id, entry in DIRECTORY.items() if entry["tier"] == "premium"}
    cells = {
        "premium-1": {tenant_id: DIRECTORY[tenant_id] for tenant_id in premium},
        "basic-1": {tenant_id: entry for tenant_id, entry in DIRECTORY.items() if tenant_id not in premium},
    }
    records = read_directory(publish(aws_env.endpoint, cells))
    assert {tenant_id: replace(record, cell=None) for tenant_id, record in records.items()} == RECORDS
    assert {tenant_id: record.cell for tenant_id, record in records.items()} == {
        tenant_id: cell for cell, entries in cells.items() for tenant_id in entries
    }


def test_an_unreadable_or_invalid_published_directory_is_a_storage_error(bucket: str, aws_env: MotoServer) -> None:
    empty = f"s3://{bucket}/{own_prefix()}"
    with pytest.raises(StorageError, match=rf"^tenant directory: no tenant directory slice .* found under {empty}$"):
        read_directory(empty)
    where = publish(aws_env.endpoint, {"basic-1": DIRECTORY})
    key = f"{where.removeprefix(f's3://{bucket}/')}basic-2.json"
    client("s3", aws_env.endpoint).put_object(Bucket=bucket, Key=key, Body=json.dumps(DIRECTORY).encode())
    with pytest.raises(  # the stack output is not a directory document
        StorageError, match=rf"^tenant directory: s3://{bucket}/{key} \(ETag .*\) is not a valid tenant directory"
    ):
        read_directory(where)
    with pytest.raises(
        StorageError, match=r"^tenant directory: cannot list s3://tenant-pipeline-no-such-bucket/tenants/"
    ):
        read_directory("s3://tenant-pipeline-no-such-bucket/tenants/")


@pytest.mark.parametrize("where", ["s3://bucket-only", "s3://bucket/", "s3://bucket/tenants.json", "s3:///tenants/"])
def test_an_s3_directory_names_its_bucket_and_the_slices_prefix(where: str) -> None:
    with pytest.raises(
        JobUsageError, match=r"is not s3://bucket/prefix/, the slices' prefix \(s3://<bucket>/tenants/\)"
    ):
        read_directory(where)


def test_a_file_holds_the_published_document_or_the_stack_output(tmp_path: Path) -> None:
    document = tmp_path / "document.json"
    document.write_text(directory_json(DIRECTORY))
    output = tmp_path / "tenants.json"
    output.write_text(json.dumps(DIRECTORY))
    assert read_directory(str(document)) == read_directory(str(output)) == RECORDS
    with pytest.raises(JobUsageError, match="cannot read the tenant directory"):
        read_directory(str(tmp_path / "missing.json"))
