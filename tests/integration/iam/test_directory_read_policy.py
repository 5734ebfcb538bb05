"""The tenant directory's readers (the authorizer's role, the application role the DAL runs as), judged by the IAM
evaluator on the policies the dev stack declares: they list the slices' prefix and read the slices, and nothing else
in S3; a listing without the prefix, or of another one, is denied."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.contracts.cells import DIRECTORY_PREFIX, PLATFORM_SLICE, slice_key
from local.fake_cloud import ACCOUNT_ID
from local.iam.evaluator import ALLOWED, IamRequest, evaluate
from tests.support.declared import DeclaredPipeline, run

pytestmark = pytest.mark.iam

READERS = ("authorizer-role", "application-role")


@pytest.fixture(scope="module")
def dev() -> DeclaredPipeline:
    return run("dev")


def reader_policies(dev: DeclaredPipeline) -> dict[str, dict[str, Any]]:
    """Each reader's S3 statements, as one identity policy per reader."""
    policies = {}
    for reader in READERS:
        role = dev.one("aws:iam/role:Role", reader)
        documents = [
            p.inputs["policy"] for p in dev.all("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
        ]
        statements = [
            statement
            for document in documents
            for statement in json.loads(document)["Statement"]
            if any(str(action).startswith("s3:") for action in statement["Action"])
        ]
        policies[reader] = {"Version": "2012-10-17", "Statement": statements}
    return policies


def request(reader: str, action: str, resource: str, **context: str) -> IamRequest:
    return IamRequest(
        principal=f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{reader}/session",
        action=action,
        resource=resource,
        account=ACCOUNT_ID,
        identity_policies=(reader,),
        context=context,
    )


def test_the_readers_list_the_slices_prefix_and_read_the_slices_only(dev: DeclaredPipeline) -> None:
    bucket = dev.arn("aws:s3/bucket:Bucket", "tenant-directory")
    ingest = dev.arn("aws:s3/bucket:Bucket", "ingestion-bucket")
    cases: list[tuple[str, str, dict[str, str], bool]] = [
        # The reader's own listing, and a narrower one under the prefix.
        ("s3:ListBucket", bucket, {"s3:prefix": DIRECTORY_PREFIX}, True),
        ("s3:ListBucket", bucket, {"s3:prefix": f"{DIRECTORY_PREFIX}basic-"}, True),
        # The whole bucket, another prefix, the prefix without its slash.
        ("s3:ListBucket", bucket, {}, False),
        ("s3:ListBucket", bucket, {"s3:prefix": ""}, False),
        ("s3:ListBucket", bucket, {"s3:prefix": DIRECTORY_PREFIX.rstrip("/")}, False),
        ("s3:ListBucket", ingest, {"s3:prefix": DIRECTORY_PREFIX}, False),
        # Every slice, and nothing outside the prefix (the single document from before cells included).
        ("s3:GetObject", f"{bucket}/{slice_key('basic-1')}", {}, True),
        ("s3:GetObject", f"{bucket}/{slice_key(PLATFORM_SLICE)}", {}, True),
        ("s3:GetObject", f"{bucket}/tenants.json", {}, False),
        ("s3:GetObject", f"{ingest}/{slice_key('basic-1')}", {}, False),
        ("s3:PutObject", f"{bucket}/{slice_key('basic-1')}", {}, False),
        ("s3:DeleteObject", f"{bucket}/{slice_key('basic-1')}", {}, False),
    ]
    requests = [
        request(reader, action, resource, **context) for reader in READERS for action, resource, context, _ in cases
    ]

    results = evaluate(reader_policies(dev), requests)

    expected = [allowed for _ in READERS for *_, allowed in cases]
    assert [result == ALLOWED for result in results] == expected
