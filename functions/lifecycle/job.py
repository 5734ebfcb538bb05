"""What both jobs take from their command line: the tenant's directory record and where Cassandra is.

The directory is what the cells publish (`s3://bucket/tenants/`: every slice under the prefix, read with the job's
credentials through the runtime's reader) or a file: a directory document, or the stack output `tenants`.
Cassandra is a local node (`--cassandra-port`) or Amazon Keyspaces in `--region` (TLS, SigV4 with the tenant's
roles assumed).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError

from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.directory import TenantRecord, document_records
from functions.dal.connection import AmazonKeyspaces, Endpoint, LocalCassandra
from functions.dal.credentials import RoleAssumer
from functions.dal.directory import TenantDirectory
from functions.directory.errors import DirectoryUnavailableError
from functions.directory.reader import DirectoryReader
from functions.directory.slices import prefix_problem
from functions.lifecycle.errors import JobUsageError, StorageError
from functions.lifecycle.store import Cassandra

S3_SCHEME = "s3://"


def add_storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", required=True, help="the tenant id")
    parser.add_argument(
        "--directory", required=True, help="the tenant directory: s3://bucket/tenants/ (its slices) or a JSON file"
    )
    parser.add_argument("--cassandra-host", default="127.0.0.1", help="a local Cassandra's host")
    parser.add_argument("--cassandra-port", type=int, help="a local Cassandra's native port")
    parser.add_argument("--region", help="Amazon Keyspaces in this region (instead of a local Cassandra)")
    parser.add_argument("--assume-roles", action="store_true", help="assume the tenant's roles on a local Cassandra")


def read_directory(where: str) -> Mapping[str, TenantRecord]:
    """Every record of the directory at `where` (s3://bucket/prefix/: the slices under it; or a file)."""
    if where.startswith(S3_SCHEME):
        bucket, _, prefix = where[len(S3_SCHEME) :].partition("/")
        problem = prefix_problem(prefix)
        if not bucket or problem is not None:
            raise JobUsageError(
                f"--directory {where!r} is not s3://bucket/prefix/, the slices' prefix (s3://<bucket>/{DIRECTORY_PREFIX})"
            )
        try:
            s3 = boto3.client("s3")
        except BotoCoreError as error:
            raise StorageError(f"cannot read the tenant directory {where}: {error}") from error
        try:
            return DirectoryReader(s3, bucket, prefix).records()
        except DirectoryUnavailableError as error:  # a LifecycleError: the job's expected failures
            raise StorageError(f"tenant directory: {error}") from error
    path = Path(where)
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise JobUsageError(f"cannot read the tenant directory {path}: {error}") from error
    if isinstance(document, dict) and "version" in document:
        return document_records(document, str(path))
    return {record.tenant_id: record for record in TenantDirectory.from_mapping(document).records()}


def record_from(args: argparse.Namespace) -> TenantRecord:
    records = read_directory(args.directory)
    record = records.get(args.tenant)
    if record is None:
        raise JobUsageError(f"tenant {args.tenant!r} is not in the tenant directory {args.directory}")
    return record


def cassandra_from(args: argparse.Namespace) -> Cassandra:
    if (args.region is None) == (args.cassandra_port is None):
        raise JobUsageError("give either --cassandra-port (a local Cassandra) or --region (Amazon Keyspaces)")
    endpoint: Endpoint = (
        AmazonKeyspaces(args.region) if args.region else LocalCassandra(args.cassandra_port, (args.cassandra_host,))
    )
    region = args.region or "us-east-1"
    roles = RoleAssumer(region) if args.region or args.assume_roles else None
    return Cassandra(endpoint, roles)
