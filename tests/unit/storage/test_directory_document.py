"""The published tenant directory under Pulumi mocks: a private bucket and its slices (one per cell, or the
platform's one without cells), whose content is the `tenants` output as the runtime reads it; the authorizer's and
the DAL's roles list and read the slices' prefix (DIRECTORY_PREFIX) and nothing else in S3."""

from __future__ import annotations

import json

import pytest

from components.storage.directory import document_text
from functions.contracts.cells import DIRECTORY_PREFIX, PLATFORM_SLICE, cell_of_slice_key, slice_key
from functions.contracts.directory import TenantRecord, parse_document
from functions.contracts.errors import ContractError
from local.fake_cloud import ACCOUNT_ID
from local.stack_file import read_stack_config
from tests.support.declared import DeclaredPipeline, run
from tests.support.directory_data import DIRECTORY

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
BUCKET = "aws:s3/bucket:Bucket"
COMPONENT = "tenant-pipeline:storage:TenantDirectoryDocument"


@pytest.fixture(scope="module")
def dev() -> DeclaredPipeline:
    return run("dev")


@pytest.fixture(scope="module")
def solo() -> DeclaredPipeline:
    """The dev roster as an environment without cells: one stack."""
    tenants = [{k: v for k, v in t.items() if k != "cell"} for t in read_stack_config("dev")["tenant-pipeline:tenants"]]
    return run("solo", **{"tenant-pipeline:cells": None, "tenant-pipeline:tenants": tenants})


def slices(pipeline: DeclaredPipeline) -> dict[str, dict[str, TenantRecord]]:
    """Each directory slice the environment publishes, by key, as the runtime parses it."""
    bucket = pipeline.one(BUCKET, "tenant-directory").inputs["bucket"]
    objects = [r for r in pipeline.all(OBJECT) if r.inputs["key"].startswith(DIRECTORY_PREFIX)]
    assert all(r.inputs["contentType"] == "application/json" for r in objects)
    assert all(r.inputs["bucket"] in (bucket, pipeline.one(BUCKET, "tenant-directory").id) for r in objects)
    return {r.inputs["key"]: parse_document(r.inputs["content"], source=r.inputs["key"]) for r in objects}


def test_with_cells_each_cell_publishes_its_slice_in_the_platforms_bucket(dev: DeclaredPipeline) -> None:
    (component,) = dev.all(COMPONENT)
    children = [r for r in dev.declaration.resources if r.parent == component.urn]
    assert {r.type for r in children} == {"tenant-pipeline:ingestion:ProtectedBucket"}  # the bucket alone
    bucket = dev.one(BUCKET, "tenant-directory")
    assert bucket.inputs["bucket"] == f"tenant-pipeline-dev-directory-{ACCOUNT_ID}-us-east-1"
    assert dev.outputs["directoryBucket"] == bucket.inputs["bucket"]
    assert dev.outputs["directoryPrefix"] == DIRECTORY_PREFIX
    published = slices(dev)
    assert set(published) == {slice_key(cell) for cell in dev.config.cell_loads}
    for key, records in published.items():
        assert all(record.cell == cell_of_slice_key(key) for record in records.values())


def test_the_slices_together_are_the_tenants_output_as_the_runtime_parses_it(dev: DeclaredPipeline) -> None:
    published = {tenant_id: record for records in slices(dev).values() for tenant_id, record in records.items()}
    assert published == {
        tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in dev.outputs["tenants"].items()
    }
    assert sorted(published) == sorted(t.id for t in dev.config.tenants)  # each tenant in exactly one slice
    assert any(not record.active for record in published.values())  # the dev roster's offboarded tenant is listed


def test_without_cells_the_one_stack_publishes_the_whole_directory_as_the_platform_slice(
    solo: DeclaredPipeline,
) -> None:
    published = slices(solo)
    assert list(published) == [slice_key(PLATFORM_SLICE)]
    records = published[slice_key(PLATFORM_SLICE)]
    assert records == {
        tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in solo.outputs["tenants"].items()
    }
    assert all(record.cell is None and record.key_cell is None for record in records.values())


def directory_read_statements(bucket_arn: str) -> list[dict[str, object]]:
    """What a reader of the directory may do in S3: list the slices' prefix, read the objects under it."""
    return [
        {
            "Sid": "ListTenantDirectory",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [bucket_arn],
            "Condition": {"StringLike": {"s3:prefix": [f"{DIRECTORY_PREFIX}*"]}},
        },
        {
            "Sid": "ReadTenantDirectory",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{bucket_arn}/{DIRECTORY_PREFIX}*"],
        },
    ]


def test_the_authorizer_reads_the_slices_and_nothing_else_in_s3(dev: DeclaredPipeline) -> None:
    bucket = dev.one(BUCKET, "tenant-directory")
    policy = dev.role_policy("authorizer-role")
    s3_statements = [s for s in policy["Statement"] if any(action.startswith("s3:") for action in s["Action"])]

    assert s3_statements == directory_read_statements(bucket.outputs["arn"])


def test_the_application_role_reads_the_slices_for_the_dal(dev: DeclaredPipeline) -> None:
    bucket = dev.one(BUCKET, "tenant-directory")
    (policy,) = [
        r for r in dev.all("aws:iam/rolePolicy:RolePolicy") if r.name == "application-role-read-tenant-directory"
    ]
    assert policy.inputs["role"] == dev.one("aws:iam/role:Role", "application-role").id
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": directory_read_statements(bucket.outputs["arn"]),
    }


def test_the_same_roster_publishes_the_same_bytes() -> None:
    reordered = dict(reversed(list(DIRECTORY.items())))

    assert document_text(DIRECTORY) == document_text(reordered)
    assert parse_document(document_text(DIRECTORY)) == {
        tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in DIRECTORY.items()
    }


def test_an_entry_the_runtime_would_refuse_is_never_published() -> None:
    bad = {**DIRECTORY, "acme": {**DIRECTORY["acme"], "keyspace": "tenant_globex"}}

    with pytest.raises(ContractError, match="tenant directory entry 'acme': keyspace 'tenant_globex'"):
        document_text(bad)


def test_only_the_dev_directory_bucket_is_destroyed_with_its_versions() -> None:
    assert run("dev").one(BUCKET, "tenant-directory").inputs["forceDestroy"] is True
    assert run("prod").one(BUCKET, "tenant-directory").inputs["forceDestroy"] is False


def test_content_is_json_of_version_1(dev: DeclaredPipeline) -> None:
    for resource in (r for r in dev.all(OBJECT) if r.inputs["key"].startswith(DIRECTORY_PREFIX)):
        document = json.loads(resource.inputs["content"])
        assert document["version"] == 1
        assert set(document) == {"version", "tenants"}
