"""A local Athena: a tenant's SQL over the declared events table, run with the tenant's own identity.

What Athena does, and how it is done here:
- It authorizes the caller's StartQueryExecution in the workgroup, reads the table from Glue, lists and
  reads the partitions' objects, and writes the results, each with the caller's credentials. Here every
  one of those requests is judged by the IAM evaluator (local/iam, @cloud-copilot/iam-simulate) on the
  declared policies of the caller's identity (its role's inline policies, its session's TenantId tag, the
  bucket's policy) before it is made; a denied one fails the query as AWS would (AccessDenied). The S3
  requests then go to moto with the identity's own STS credentials. moto judges none of them here: it
  evaluates neither conditions nor `${aws:PrincipalTag/TenantId}`, on which pooled sessions depend.
- Partition projection (projection.py): the injected tenant from the query's WHERE, the template's
  prefix listed, the date partitions kept within their projected ranges.
- The OpenX JSON SerDe: GZIP by the key's suffix, one JSON object per line, each column read from its mapped
  key; a `string` column whose value is an object reads as its JSON text.
- The workgroup's bytes-scanned cutoff: the objects' bytes (compressed, as S3 serves them) are counted, and
  a query past the cutoff is cancelled before it runs further.
- The SQL itself runs in Apache DataFusion over the rows read, under the table's qualified name.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import datafusion
import pyarrow as pa
from botocore.exceptions import ClientError

from functions.contracts.identity import TENANT_SESSION_TAG
from local.analytics.catalog import DeclaredAnalytics, EventsTable
from local.analytics.projection import (
    check_tables,
    in_projection,
    injected_values,
    listing_prefix,
    parse,
    partition_values,
)
from local.errors import QueryRefusedError
from local.iam.evaluator import ALLOWED, IamRequest, evaluate

Judge = Callable[[Mapping[str, dict[str, Any]], Sequence[IamRequest]], list[str]]
ARROW_TYPES = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}
GZIP_SUFFIX = ".gz"


@dataclass(frozen=True)
class TenantIdentity:
    """Who queries: a tenant's role session (a pooled role's carries the tenant's id as its TenantId tag)."""

    tenant_id: str
    tier: str
    role_name: str
    role_arn: str
    policies: dict[str, dict[str, Any]]  # the role's inline policies, by name
    client: Any  # a boto3 S3 client with the session's credentials

    def principal(self, account: str) -> str:
        return f"arn:aws:sts::{account}:assumed-role/{self.role_name}/analytics-{self.tenant_id}"


@dataclass
class QueryResult:
    query_id: str
    rows: list[dict[str, Any]]
    bytes_scanned: int
    objects: int
    output: str  # s3://bucket/key of the results CSV
    requests: list[tuple[str, str]] = field(default_factory=list)  # (action, resource) judged and allowed


class LocalAthena:
    def __init__(
        self, analytics: DeclaredAnalytics, bucket_policies: Mapping[str, dict[str, Any]], judge: Judge = evaluate
    ):
        self.analytics = analytics
        self.bucket_policies = dict(bucket_policies)
        self.judge = judge

    def run(self, identity: TenantIdentity, sql: str, output_location: str | None = None) -> QueryResult:
        """Run `sql` in the identity's tier's workgroup; results under `output_location` (the workgroup's if None)."""
        analytics, table = self.analytics, self.analytics.table
        workgroup = analytics.workgroups[identity.tier]
        query_id = str(uuid.uuid4())
        location = output_location or workgroup.output_location
        result_bucket, _, result_prefix = location.removeprefix("s3://").partition("/")
        result_key = f"{result_prefix}{query_id}.csv"
        judged: list[tuple[str, str]] = []

        def authorize(requests: Sequence[tuple[str, str, dict[str, str]]]) -> None:
            decisions = self.judge(self._policies(identity), [self._request(identity, *r) for r in requests])
            for (action, resource, _), decision in zip(requests, decisions, strict=True):
                if decision != ALLOWED:
                    raise QueryRefusedError(
                        "PERMISSION_DENIED",
                        f"Access Denied: {identity.principal(analytics.account)} is not authorized to perform "
                        f"{action} on {resource} ({decision})",
                    )
                judged.append((action, resource))

        query = parse(sql)
        authorize(
            [("athena:StartQueryExecution", analytics.workgroup_arn(identity.tier), {})]
            + [("glue:GetTable", arn, {}) for arn in analytics.catalog_arns()]
        )
        check_tables(query, table)
        (injected,) = table.injected()  # the layout has one: the tenant
        values = injected_values(query, injected)
        listings = [listing_prefix(table, {injected: value}) for value in values]
        authorize([("s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix}) for bucket, prefix in listings])
        keys: list[tuple[str, str, dict[str, str]]] = []
        for bucket, prefix in listings:
            for key in self._list(identity, bucket, prefix):
                partitions = partition_values(table, bucket, key)
                if partitions is not None and in_projection(table, partitions):
                    keys.append((bucket, key, partitions))
        authorize(
            [("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}", {}) for bucket, key, _ in keys]
            + [("s3:PutObject", f"arn:aws:s3:::{result_bucket}/{result_key}", {})]
        )
        scanned = 0
        rows: list[dict[str, Any]] = []
        for bucket, key, partitions in keys:
            body = self._get(identity, bucket, key)
            scanned += len(body)
            if scanned > workgroup.bytes_scanned_cutoff:
                raise QueryRefusedError(
                    "QUERY_CANCELLED",
                    f"Bytes scanned limit was exceeded: the workgroup {workgroup.name} allows "
                    f"{workgroup.bytes_scanned_cutoff:,} bytes a query",
                )
            rows += [{**deserialize(table, line), **partitions} for line in lines(key, body)]
        answer = execute(table, rows, sql)
        identity.client.put_object(Bucket=result_bucket, Key=result_key, Body=to_csv(answer))
        return QueryResult(query_id, answer, scanned, len(keys), f"s3://{result_bucket}/{result_key}", judged)

    def _policies(self, identity: TenantIdentity) -> dict[str, dict[str, Any]]:
        policies = {f"role/{name}": document for name, document in identity.policies.items()}
        policies.update({f"bucket/{bucket}": document for bucket, document in self.bucket_policies.items()})
        return policies

    def _request(self, identity: TenantIdentity, action: str, resource: str, extra: dict[str, str]) -> IamRequest:
        bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0] if resource.startswith("arn:aws:s3:::") else ""
        account = self.analytics.account
        return IamRequest(
            principal=identity.principal(account),
            action=action,
            resource=resource,
            account=account,
            identity_policies=tuple(f"role/{name}" for name in identity.policies),
            resource_policy=f"bucket/{bucket}" if bucket in self.bucket_policies else None,
            context={
                f"aws:PrincipalTag/{TENANT_SESSION_TAG}": identity.tenant_id,
                "aws:PrincipalArn": identity.role_arn,
                "aws:SecureTransport": "true",
                **extra,
            },
        )

    def _list(self, identity: TenantIdentity, bucket: str, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in identity.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return keys

    def _get(self, identity: TenantIdentity, bucket: str, key: str) -> bytes:
        try:
            return bytes(identity.client.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as error:
            raise QueryRefusedError("PERMISSION_DENIED", f"s3://{bucket}/{key}: {error}") from error


def lines(key: str, body: bytes) -> list[bytes]:
    """An object's JSON lines, decompressed by its key's suffix (as Athena picks the codec)."""
    text = gzip.decompress(body) if key.endswith(GZIP_SUFFIX) else body
    return [line for line in text.splitlines() if line.strip()]


def deserialize(table: EventsTable, line: bytes) -> dict[str, Any]:
    """One JSON line as the OpenX JSON SerDe reads it into the table's columns."""
    record = json.loads(line)
    row: dict[str, Any] = {}
    for column in table.columns:
        value = record.get(column.key)
        if column.type == "string" and isinstance(value, dict | list):
            value = json.dumps(value, separators=(",", ":"))
        row[column.name] = value
    return row


def execute(table: EventsTable, rows: list[dict[str, Any]], sql: str) -> list[dict[str, Any]]:
    """`sql` over `rows` in DataFusion, the rows registered as the table's qualified name."""
    schema = pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns]
        + [pa.field(key, pa.string()) for key in table.partition_keys]
    )
    context = datafusion.SessionContext()
    context.sql(f"CREATE SCHEMA {table.database}").collect()
    context.register_record_batches(
        table.qualified,
        [pa.Table.from_pylist(rows, schema=schema).to_batches() or [pa.RecordBatch.from_pylist([], schema=schema)]],
    )
    answer: list[dict[str, Any]] = context.sql(sql).to_arrow_table().to_pylist()
    return answer


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue().encode()
