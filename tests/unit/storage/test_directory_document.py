"""The published tenant directory under Pulumi mocks: a private bucket and one JSON object whose content is
the `tenants` output as the runtime reads it; the authorizer's and the DAL's roles read the slices' prefix
(DIRECTORY_PREFIX) and nothing else in S3."""

from __future__ import annotations

import json

import pytest

from components.storage.directory import document_text
from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.directory import TenantRecord, parse_document
from functions.contracts.errors import ContractError
from local.fake_cloud import ACCOUNT_ID
from tests.support.declared import DeclaredPipeline, run
from tests.support.directory_data import DIRECTORY
from tiers.naming import DIRECTORY_DOCUMENT_KEY

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
BUCKET = "aws:s3/bucket:Bucket"
COMPONENT = "tenant-pipeline:storage:TenantDirectoryDocument"


@pytest.fixture(scope="module")
def dev() -> DeclaredPipeline:
    return run("dev")


def test_the_directory_is_one_object_in_a_bucket_of_its_own(dev: DeclaredPipeline) -> None:
    (component,) = dev.all(COMPONENT)
    children = [r for r in dev.declaration.resources if r.parent == component.urn]
    document = dev.one(OBJECT, "tenant-directory")
    bucket = dev.one(BUCKET, "tenant-directory")
    assert document.parent == component.urn
    assert document.inputs["bucket"] == bucket.id
    assert document.inputs["key"] == DIRECTORY_DOCUMENT_KEY == "tenants.json"
    assert document.inputs["contentType"] == "application/json"
    assert bucket.inputs["bucket"] == f"tenant-pipeline-dev-directory-{ACCOUNT_ID}-us-east-1"
    # Nothing but the directory in that bucket.
    objects_in_bucket = [r for r in dev.all(OBJECT) if r.inputs["bucket"] == bucket.id]
    assert objects_in_bucket == [document]
    assert {r.type for r in children} == {"tenant-pipeline:ingestion:ProtectedBucket", OBJECT}
    assert dev.outputs["directoryBucket"] == bucket.inputs["bucket"]
    assert dev.outputs["directoryKey"] == DIRECTORY_DOCUMENT_KEY


def test_the_object_is_the_tenants_output_as_the_runtime_parses_it(dev: DeclaredPipeline) -> None:
    records = parse_document(dev.one(OBJECT, "tenant-directory").inputs["content"])

    assert records == {
        tenant_id: TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in dev.outputs["tenants"].items()
    }
    assert sorted(records) == sorted(dev.outputs["tenants"])
    assert any(not record.active for record in records.values())  # the dev roster's offboarded tenant is listed


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
    document = json.loads(dev.one(OBJECT, "tenant-directory").inputs["content"])
    assert document["version"] == 1
    assert set(document) == {"version", "tenants"}
