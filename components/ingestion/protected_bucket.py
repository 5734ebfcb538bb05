"""An S3 bucket with the platform's protections: encryption, versioning, no public access, TLS only."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.ingestion.policies import tls_only_bucket_policy
from tiers.naming import logical


@dataclass(frozen=True)
class ExpiringPrefix:
    """Objects under `prefix` expire `days` after creation; their old versions `noncurrent_days` after."""

    rule_id: str
    prefix: str
    days: int
    noncurrent_days: int


# Parts of multipart uploads that never completed cost money and are never read.
ABORT_INCOMPLETE_UPLOADS_DAYS = 7


@dataclass
class ProtectedBucketArgs:
    bucket_name: pulumi.Input[str]
    tags: Mapping[str, str]
    expiring_prefixes: Sequence[ExpiringPrefix] = field(default_factory=tuple)
    # Only where losing the data is acceptable (dev): lets `pulumi destroy` empty the bucket.
    force_destroy: bool = False


class ProtectedBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket

    def __init__(self, name: str, args: ProtectedBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:ProtectedBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.bucket = aws.s3.Bucket(
            name, bucket=args.bucket_name, force_destroy=args.force_destroy, tags=dict(args.tags), opts=child
        )
        # ACLs off: the bucket owner owns every object, access is by policy only.
        aws.s3.BucketOwnershipControls(
            logical(name, "ownership"),
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        # SSE-S3: readers (tenant roles) need no KMS grant, and Firehose writes without one.
        aws.s3.BucketServerSideEncryptionConfiguration(
            logical(name, "encryption"),
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketVersioning(
            logical(name, "versioning"),
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            logical(name, "public-access"),
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketPolicy(
            logical(name, "tls-only"),
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(lambda arn: json.dumps(tls_only_bucket_policy(arn))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [
            {
                "id": "abort-incomplete-uploads",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
            }
        ]
        rules.extend(
            {
                "id": rule.rule_id,
                "status": "Enabled",
                "filter": {"prefix": rule.prefix},
                "expiration": {"days": rule.days},
                "noncurrent_version_expiration": {"noncurrent_days": rule.noncurrent_days},
            }
            for rule in args.expiring_prefixes
        )
        aws.s3.BucketLifecycleConfiguration(logical(name, "lifecycle"), bucket=self.bucket.id, rules=rules, opts=child)
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})
