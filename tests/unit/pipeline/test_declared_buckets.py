"""The stack's buckets (ingest, Flink artifacts, the tenant directory) as declared: every protection, on that
very bucket."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.declared import DeclaredPipeline

S3 = "aws:s3"
ENCRYPTION = f"{S3}/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKETS = ("ingestion-bucket", "ingestion-processor-artifacts", "tenant-directory-bucket")


def attached(pipeline: DeclaredPipeline, type_: str, bucket_name: str) -> dict[str, Any]:
    """The inputs of the one `type_` resource attached to the bucket `bucket_name` (logical name)."""
    bucket = pipeline.one(f"{S3}/bucket:Bucket", bucket_name)
    (match,) = [resource for resource in pipeline.all(type_) if resource.inputs["bucket"] == bucket.id]
    return match.inputs


@pytest.mark.parametrize("bucket_name", BUCKETS)
def test_all_four_public_access_blocks(dev, bucket_name):
    block = attached(dev, f"{S3}/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket_name)
    for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[setting] is True, setting


@pytest.mark.parametrize("bucket_name", BUCKETS)
def test_encrypted_at_rest_versioned_and_acls_disabled(dev, bucket_name):
    encryption = attached(dev, ENCRYPTION, bucket_name)
    assert encryption["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    versioning = attached(dev, f"{S3}/bucketVersioning:BucketVersioning", bucket_name)
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    ownership = attached(dev, f"{S3}/bucketOwnershipControls:BucketOwnershipControls", bucket_name)
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


@pytest.mark.parametrize("bucket_name", BUCKETS)
def test_bucket_policy_denies_every_request_without_tls(dev, bucket_name):
    arn = dev.arn(f"{S3}/bucket:Bucket", bucket_name)
    policy = json.loads(attached(dev, f"{S3}/bucketPolicy:BucketPolicy", bucket_name)["policy"])
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def test_ingest_errors_expire_and_incomplete_uploads_are_aborted(dev):
    lifecycle = attached(dev, f"{S3}/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "ingestion-bucket")
    rules = {rule["id"]: rule for rule in lifecycle["rules"]}
    assert rules["expire-errors"] == {
        "id": "expire-errors",
        "status": "Enabled",
        "filter": {"prefix": "errors/"},
        "expiration": {"days": 30},
        "noncurrentVersionExpiration": {"noncurrentDays": 7},
    }
    assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    # Tenant data never expires by lifecycle: only the errors prefix does.
    expiring = [rule["filter"]["prefix"] for rule in rules.values() if "expiration" in rule]
    assert expiring == ["errors/"]


def test_only_dev_buckets_can_be_destroyed_with_their_data(dev, prod):
    for bucket_name in BUCKETS:
        assert dev.one(f"{S3}/bucket:Bucket", bucket_name).inputs["forceDestroy"] is True
        assert prod.one(f"{S3}/bucket:Bucket", bucket_name).inputs.get("forceDestroy") is False
