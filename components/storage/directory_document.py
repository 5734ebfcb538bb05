"""The tenant directory's bucket (private, versioned), and the directory published in it for running code.

The authorizer and the DAL read every slice under `tenants/` (functions/directory: cached, listed, GET when a
slice changed). An environment without cells publishes its whole directory here as the one slice
`tenants/platform.json`; with cells, this declares only the bucket and each cell publishes its own slice
(components/cells/tenant_cell.py). Why S3 and not AppConfig, and why a bucket of its own: docs/design.md, "The
tenant directory". Each `pulumi up` that changes a slice writes a new version of it; the bucket keeps the old ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.ingestion.protected_bucket import ProtectedBucket, ProtectedBucketArgs
from components.storage.directory import document_text
from functions.contracts.cells import PLATFORM_SLICE, slice_key
from tiers.naming import logical

CONTENT_TYPE = "application/json"


@dataclass
class TenantDirectoryDocumentArgs:
    bucket_name: pulumi.Input[str]  # tiers.naming.Namer.directory_bucket
    # The stack output `tenants` (TenantStorage.directory), published as the platform slice; None: cells publish.
    entries: pulumi.Input[dict[str, Any]] | None
    tags: Mapping[str, str]
    force_destroy: bool = False  # dev only, as for the other buckets


class TenantDirectoryDocument(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    document: aws.s3.BucketObjectv2 | None

    def __init__(self, name: str, args: TenantDirectoryDocumentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:storage:TenantDirectoryDocument", name, None, opts)
        protected = ProtectedBucket(
            logical(name, "bucket"),
            ProtectedBucketArgs(bucket_name=args.bucket_name, tags=args.tags, force_destroy=args.force_destroy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket = protected.bucket
        self.document = None
        if args.entries is not None:
            self.document = aws.s3.BucketObjectv2(
                logical(name, "document"),
                bucket=self.bucket.id,
                key=slice_key(PLATFORM_SLICE),
                content=pulumi.Output.from_input(args.entries).apply(document_text),
                content_type=CONTENT_TYPE,
                tags=dict(args.tags),
                # Versioning, encryption and the TLS-only policy are in place before the first version is written.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[protected]),
            )
        self.register_outputs({"bucket": self.bucket.bucket})
