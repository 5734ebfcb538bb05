"""The jobs' `--directory`: the published document on S3 (moto, through the shared reader) or a file holding
the document or the stack output `tenants`; what cannot be read is a LifecycleError naming it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from functions.contracts.directory import TenantRecord
from functions.lifecycle.errors import JobUsageError, StorageError
from functions.lifecycle.job import read_directory
from local.services.moto_server import MotoServer
from tests.support.authorizer import client, directory_json
from tests.support.directory_data import DIRECTORY

pytestmark = pytest.mark.moto

BUCKET = "tenant-pipeline-lifecycle-directory-tests"
RECORDS = {tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in DIRECTORY.items()}


@pytest.fixture
def bucket(aws_env: MotoServer) -> str:
    s3 = client("s3", aws_env.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def put(endpoint: str, body: str) -> str:
    key = f"{uuid.uuid4().hex}/tenants.json"
    client("s3", endpoint).put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    return f"s3://{BUCKET}/{key}"


def test_the_published_directory_is_read_from_s3(bucket: str, aws_env: MotoServer) -> None:
    assert read_directory(put(aws_env.endpoint, directory_json(DIRECTORY))) == RECORDS


def test_an_unreadable_or_invalid_published_directory_is_a_storage_error(bucket: str, aws_env: MotoServer) -> None:
    with pytest.raises(StorageError, match=rf"^tenant directory: cannot read s3://{bucket}/no/tenants.json: NoSuchKey"):
        read_directory(f"s3://{bucket}/no/tenants.json")
    where = put(aws_env.endpoint, json.dumps(DIRECTORY))  # the stack output is not the published document
    with pytest.raises(StorageError, match=rf"^tenant directory: {where} \(ETag .*\) is not a valid tenant directory"):
        read_directory(where)


def test_an_s3_directory_names_its_bucket_and_key() -> None:
    with pytest.raises(JobUsageError, match="is not s3://bucket/key"):
        read_directory("s3://bucket-only")


def test_a_file_holds_the_published_document_or_the_stack_output(tmp_path: Path) -> None:
    document = tmp_path / "document.json"
    document.write_text(directory_json(DIRECTORY))
    output = tmp_path / "tenants.json"
    output.write_text(json.dumps(DIRECTORY))
    assert read_directory(str(document)) == read_directory(str(output)) == RECORDS
    with pytest.raises(JobUsageError, match="cannot read the tenant directory"):
        read_directory(str(tmp_path / "missing.json"))
