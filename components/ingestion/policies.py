"""IAM policy documents of the shared ingestion pipeline.

One role per service (API Gateway, authorizer Lambda, Firehose, Flink), each allowed exactly the
actions it performs on exactly the ARNs it touches. Builders take ARNs and refuse anything that is
not an ARN of the expected service, so a wildcard or an empty Output cannot slip into a policy.

Wildcards appear only where AWS gives no exact ARN to name, each justified where it is built:
`log-group:*` for logs:DescribeLogGroups (a listing call), `<log group>:log-stream:*` for streams the
service creates at run time, `<bucket>/<prefix>*` for object keys Firehose generates and for the tenant
directory's slices (one per cell, named as cells are opened). Never a bare "*".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.errors import ComponentInputError
from functions.contracts.cells import DIRECTORY_PREFIX

Document = dict[str, Any]
Statement = dict[str, Any]

POLICY_VERSION = "2012-10-17"
PARTITION = "aws"

LAMBDA = "lambda.amazonaws.com"
API_GATEWAY = "apigateway.amazonaws.com"
FIREHOSE = "firehose.amazonaws.com"
FLINK = "kinesisanalytics.amazonaws.com"
# What API Gateway's region-wide CloudWatch role needs, maintained by AWS (it covers every API's logs).
API_GATEWAY_CLOUDWATCH_POLICY = f"arn:{PARTITION}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

# What the Flink Kinesis source calls on its stream (polling consumer, no enhanced fan-out).
KINESIS_READ_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
FIREHOSE_WRITE_ACTIONS = ("firehose:PutRecord", "firehose:PutRecordBatch")


def require_arn(value: str, service: str) -> str:
    """`value` if it is an ARN of `service` naming a resource; a clear error otherwise."""
    prefix = f"arn:{PARTITION}:{service}:"
    if not isinstance(value, str) or not value.startswith(prefix) or value.endswith(":") or value.endswith("*"):
        raise ComponentInputError(f"expected an exact {service} ARN ({prefix}...), got {value!r}")
    return value


def require_object_arn(value: str, what: str = "the object") -> str:
    """`value` if it is the ARN of one S3 object (bucket/key, no wildcard); a clear error otherwise."""
    arn = require_arn(value, "s3")
    if "/" not in arn.split(":::", 1)[-1] or "*" in arn:
        raise ComponentInputError(f"{what} must be an object ARN (bucket/key), got {arn!r}")
    return arn


def require_bucket_arn(value: str) -> str:
    """`value` if it is the ARN of one S3 bucket (no key, no wildcard); a clear error otherwise."""
    arn = require_arn(value, "s3")
    if "/" in arn or "*" in arn:
        raise ComponentInputError(f"expected a bucket ARN (arn:aws:s3:::<bucket>), got {arn!r}")
    return arn


def require_literal_prefix(prefix: str, what: str = "object prefix") -> str:
    """`prefix` if it is a non-empty literal key prefix (a policy appends its own `*`); a clear error otherwise."""
    if not isinstance(prefix, str) or not prefix or "*" in prefix or "?" in prefix:
        raise ComponentInputError(f"{what} must be a non-empty literal key prefix, got {prefix!r}")
    return prefix


def statement(
    sid: str, actions: Sequence[str], resources: Sequence[str], condition: Document | None = None
) -> Statement:
    result: Statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
    if condition:
        result["Condition"] = condition
    return result


def document(*statements: Statement) -> Document:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def log_stream_arn(log_group_arn: str, stream_name: str) -> str:
    return f"{require_arn(log_group_arn, 'logs')}:log-stream:{stream_name}"


def _log_groups_of_account(region: str, account_id: str) -> str:
    # DescribeLogGroups lists the account's groups, so it cannot name one group: AWS's documented policies
    # (Managed Service for Apache Flink, API Gateway logging) grant it on the account's `log-group:*`.
    return f"arn:{PARTITION}:logs:{region}:{account_id}:log-group:*"


def assume_role_policy(
    service: str, *, source_account: str | None = None, source_arn: str | None = None, external_id: str | None = None
) -> Document:
    """Trust policy letting one AWS service assume the role; conditions guard against confused deputies.

    Each caller passes the guards its service documents: Flink and Lambda send `aws:SourceAccount`,
    Firehose the account as `sts:ExternalId`. API Gateway sends neither key when it assumes an
    integration's credentials role or the account's CloudWatch role (a condition on them makes every
    call fail with "API Gateway does not have permission to assume the provided role"); those roles
    are guarded by iam:PassRole instead, which AWS never grants across accounts.
    """
    trust: Statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    equals: dict[str, str] = {}
    if source_account:
        equals["aws:SourceAccount"] = source_account
    if external_id:
        equals["sts:ExternalId"] = external_id
    condition: Document = {}
    if equals:
        condition["StringEquals"] = equals
    if source_arn:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    if condition:
        trust["Condition"] = condition
    return document(trust)


def tls_only_bucket_policy(bucket_arn: str) -> Document:
    """Deny every request to the bucket that does not use TLS."""
    bucket = require_arn(bucket_arn, "s3")
    return document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket, f"{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def api_gateway_put_record_policy(stream_arn: str, stream_key_arn: str) -> Document:
    """The API's Kinesis integration: PutRecord on the event stream, encrypting with its key."""
    return document(
        statement("PutEvents", ["kinesis:PutRecord"], [require_arn(stream_arn, "kinesis")]),
        statement("EncryptEvents", ["kms:GenerateDataKey"], [require_arn(stream_key_arn, "kms")]),
    )


def authorizer_policy(
    log_group_arn: str, parameter_arn: str, parameter_key_arn: str, region: str, directory_bucket_arn: str
) -> Document:
    """The authorizer Lambda: its own logs, the API key secret decrypted only through SSM, and the tenant
    directory's slices (tenant_directory_statements)."""
    group = require_arn(log_group_arn, "logs")
    parameter = require_arn(parameter_arn, "ssm")
    return document(
        # Lambda names each log stream at run time (date and instance): the group's streams, no other group.
        statement("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group}:log-stream:*"]),
        statement("ReadApiKeySecret", ["ssm:GetParameter"], [parameter]),
        statement(
            "DecryptApiKeySecretViaSsm",
            ["kms:Decrypt"],
            [require_arn(parameter_key_arn, "kms")],
            {
                "StringEquals": {
                    "kms:ViaService": f"ssm.{region}.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": parameter,
                }
            },
        ),
        *tenant_directory_statements(directory_bucket_arn),
    )


def tenant_directory_statements(bucket_arn: str, prefix: str = DIRECTORY_PREFIX) -> list[Statement]:
    """Read the published tenant directory: every cell's slice under `prefix` of its bucket, and nothing else.

    The reader lists the slices (ListObjectsV2: `s3:ListBucket` on the bucket) and GETs those that changed. The
    listing is allowed only with `s3:prefix` StringLike `<prefix>*`: `*` also matches no character, so the
    reader's request (Prefix exactly `<prefix>`) and narrower ones pass; a listing without a prefix (the key is
    then absent, and the condition fails) or of anything else in the bucket does not
    (tests/integration/iam/test_directory_read_policy.py). The objects are `<bucket>/<prefix>*`: the cells'
    slices, whose names come and go with the cells.
    """
    bucket = require_bucket_arn(bucket_arn)
    literal = require_literal_prefix(prefix, "the directory's prefix")
    return [
        statement("ListTenantDirectory", ["s3:ListBucket"], [bucket], {"StringLike": {"s3:prefix": [f"{literal}*"]}}),
        statement("ReadTenantDirectory", ["s3:GetObject"], [f"{bucket}/{literal}*"]),
    ]


def tenant_directory_policy(bucket_arn: str) -> Document:
    """The tenant directory's readers other than the authorizer (the application role: the DAL)."""
    return document(*tenant_directory_statements(bucket_arn))


def firehose_delivery_policy(
    bucket_arn: str, object_prefixes: Sequence[str], log_stream_arns: Sequence[str]
) -> Document:
    """Firehose's S3 destination: the ingest bucket, objects under the pipeline's prefixes only."""
    bucket = require_arn(bucket_arn, "s3")
    if not object_prefixes:
        raise ComponentInputError("Firehose needs at least one object prefix to write to")
    for prefix in object_prefixes:
        require_literal_prefix(prefix)
    return document(
        statement(
            "LocateBucket",
            ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            [bucket],
        ),
        # Firehose generates the object keys at delivery: every key under each literal prefix, nothing else.
        statement(
            "WriteObjects",
            ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            [f"{bucket}/{prefix}*" for prefix in object_prefixes],
        ),
        statement("WriteDeliveryLogs", ["logs:PutLogEvents"], [require_arn(arn, "logs") for arn in log_stream_arns]),
    )


@dataclass(frozen=True)
class FlinkAccess:
    """Everything the Flink application's role touches, by ARN."""

    stream_arn: str
    stream_key_arn: str
    delivery_stream_arns: Sequence[str]
    code_object_arn: str
    log_group_arn: str
    log_stream_arn: str
    region: str
    account_id: str


def flink_policy(access: FlinkAccess) -> Document:
    """The Flink job: read the event stream, write the two delivery streams, load its code, log."""
    if not access.delivery_stream_arns:
        raise ComponentInputError("the Flink job needs the delivery streams it writes to")
    code = require_object_arn(access.code_object_arn, "the code location")
    group = require_arn(access.log_group_arn, "logs")
    return document(
        statement("ReadEvents", KINESIS_READ_ACTIONS, [require_arn(access.stream_arn, "kinesis")]),
        statement("DecryptEvents", ["kms:Decrypt"], [require_arn(access.stream_key_arn, "kms")]),
        statement(
            "DeliverRecords",
            FIREHOSE_WRITE_ACTIONS,
            [require_arn(arn, "firehose") for arn in access.delivery_stream_arns],
        ),
        statement("ReadCode", ["s3:GetObject", "s3:GetObjectVersion"], [code]),
        statement(
            "ListLogGroups", ["logs:DescribeLogGroups"], [_log_groups_of_account(access.region, access.account_id)]
        ),
        # DescribeLogStreams lists the group's streams: the group's `log-stream:*` is its narrowest form.
        statement("ListLogStreams", ["logs:DescribeLogStreams"], [f"{group}:log-stream:*"]),
        statement("WriteLogs", ["logs:PutLogEvents"], [require_arn(access.log_stream_arn, "logs")]),
    )
