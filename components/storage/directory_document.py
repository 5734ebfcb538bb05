"""The tenant directory published for running code: a JSON object in a private, versioned bucket.

The authorizer and the DAL read it (functions/directory: cached, conditional GETs). Why S3 and not AppConfig,
and why a bucket of its own: docs/design.md, "The tenant directory". Each `pulumi up` that changes the roster
writes a new version of the object; the bucket keeps the old ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.ingestion.protected_bucket import ProtectedBucket, ProtectedBucketArgs
from components.storage.directory import document_text
from tiers.naming import DIRECTORY_DOCUMENT_KEY, logical

CONTENT_TYPE = "application/json"


@dataclass
class TenantDirectoryDocumentArgs:
    bucket_name: pulumi.Input[str]  # tiers.naming.Namer.directory_bucket
    entries: pulumi.Input[dict[str, Any]]  # the stack output `tenants` (TenantStorage.directory)
    tags: Mapping[str, str]
    force_destroy: bool = False  # dev only, as for the other buckets


class TenantDirectoryDocument(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    document: aws.s3.BucketObjectv2

    def __init__(self, name: str, args: TenantDirectoryDocumentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:TenantDirectoryDocument", name, None, opts)
        protected = ProtectedBucket(
            logical(name, "bucket"),
            ProtectedBucketArgs(bucket_name=args.bucket_name, tags=args.tags, force_destroy=args.force_destroy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket = protected.bucket
        self.document = aws.s3.BucketObjectv2(
            logical(name, "document"),
            bucket=self.bucket.id,
            key=DIRECTORY_DOCUMENT_KEY,
            content=pulumi.Output.from_input(args.entries).apply(document_text),
            content_type=CONTENT_TYPE,
            tags=dict(args.tags),
            # Versioning, encryption and the TLS-only policy are in place before the first version is written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[protected]),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "key": self.document.key})
