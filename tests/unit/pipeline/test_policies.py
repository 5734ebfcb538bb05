"""IAM policy builders of the pipeline: exact ARNs in, exact ARNs out, nothing broader."""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ComponentInputError
from components.ingestion.policies import (
    API_GATEWAY,
    FIREHOSE,
    FLINK,
    LAMBDA,
    Document,
    FlinkAccess,
    Statement,
    api_gateway_put_record_policy,
    assume_role_policy,
    authorizer_policy,
    firehose_delivery_policy,
    flink_policy,
    log_stream_arn,
    tenant_directory_policy,
    tenant_directory_statements,
    tls_only_bucket_policy,
)
from functions.contracts.cells import DIRECTORY_PREFIX

ACCOUNT = "123456789012"
REGION = "eu-west-1"
STREAM = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/tp-dev-events"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111aaaa-0000-4000-8000-222233334444"
BUCKET = "arn:aws:s3:::tp-dev-ingest"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/tp-dev-authorizer"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/tp-dev-api-key-secret"
EVENTS = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/tp-dev-events"
REJECTS = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/tp-dev-rejects"
DIRECTORY = "arn:aws:s3:::tp-dev-directory"  # the tenant directory's bucket


def by_sid(document: Document) -> dict[str, Statement]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def all_resources(document: Document) -> list[str]:
    return [resource for statement in document["Statement"] for resource in statement["Resource"]]


def test_put_record_policy_names_the_stream_and_its_key_only():
    statements = by_sid(api_gateway_put_record_policy(STREAM, KEY))
    assert statements["PutEvents"]["Action"] == ["kinesis:PutRecord"]
    assert statements["PutEvents"]["Resource"] == [STREAM]
    assert statements["EncryptEvents"]["Action"] == ["kms:GenerateDataKey"]
    assert statements["EncryptEvents"]["Resource"] == [KEY]


@pytest.mark.parametrize("bad", ["*", "", "arn:aws:kinesis:*", f"arn:aws:s3:::{STREAM}", "stream/tp-dev-events"])
def test_builders_refuse_anything_but_an_exact_arn_of_the_service(bad):
    with pytest.raises(ComponentInputError, match="exact kinesis ARN"):
        api_gateway_put_record_policy(bad, KEY)


def test_authorizer_decrypts_its_secret_only_through_ssm_for_that_parameter():
    statements = by_sid(authorizer_policy(GROUP, PARAMETER, KEY, REGION, DIRECTORY))
    assert statements["ReadApiKeySecret"] == {
        "Sid": "ReadApiKeySecret",
        "Effect": "Allow",
        "Action": ["ssm:GetParameter"],
        "Resource": [PARAMETER],
    }
    decrypt = statements["DecryptApiKeySecretViaSsm"]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Resource"] == [KEY]
    assert decrypt["Condition"]["StringEquals"] == {
        "kms:ViaService": f"ssm.{REGION}.amazonaws.com",
        "kms:EncryptionContext:PARAMETER_ARN": PARAMETER,
    }
    assert statements["WriteOwnLogs"]["Resource"] == [f"{GROUP}:log-stream:*"]


def test_authorizer_lists_and_reads_the_directory_slices_and_nothing_else_in_s3():
    document = authorizer_policy(GROUP, PARAMETER, KEY, REGION, DIRECTORY)
    statements = by_sid(document)
    assert statements["ListTenantDirectory"] == {
        "Sid": "ListTenantDirectory",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": [DIRECTORY],
        "Condition": {"StringLike": {"s3:prefix": [f"{DIRECTORY_PREFIX}*"]}},
    }
    assert statements["ReadTenantDirectory"] == {
        "Sid": "ReadTenantDirectory",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": [f"{DIRECTORY}/{DIRECTORY_PREFIX}*"],
    }
    s3_statements = [s for s in document["Statement"] if any(a.startswith("s3:") for a in s["Action"])]
    assert s3_statements == [statements["ListTenantDirectory"], statements["ReadTenantDirectory"]]
    assert tenant_directory_policy(DIRECTORY)["Statement"] == s3_statements  # the DAL's compute reads the same


@pytest.mark.parametrize(
    "bad", ["arn:aws:s3:::tp-dev-directory/tenants.json", "arn:aws:s3:::tp-dev-directory/*", "arn:aws:s3:::*", "x"]
)
def test_the_directory_must_be_one_bucket(bad):
    with pytest.raises(ComponentInputError, match=r"bucket ARN|exact s3 ARN"):
        authorizer_policy(GROUP, PARAMETER, KEY, REGION, bad)


@pytest.mark.parametrize("prefix", ["", "tenants/*", "tenants/?"])
def test_the_directory_prefix_must_be_literal(prefix):
    with pytest.raises(ComponentInputError, match="the directory's prefix must be a non-empty literal key prefix"):
        tenant_directory_statements(DIRECTORY, prefix)


def test_firehose_writes_only_under_the_given_prefixes_of_the_bucket():
    streams = [log_stream_arn(GROUP, "events"), log_stream_arn(GROUP, "rejects")]
    statements = by_sid(firehose_delivery_policy(BUCKET, ("tenant=", "errors/"), streams))
    assert statements["LocateBucket"]["Resource"] == [BUCKET]
    assert "s3:PutObject" in statements["WriteObjects"]["Action"]
    assert statements["WriteObjects"]["Resource"] == [f"{BUCKET}/tenant=*", f"{BUCKET}/errors/*"]
    assert statements["WriteDeliveryLogs"]["Resource"] == streams
    assert "s3:DeleteObject" not in statements["WriteObjects"]["Action"]


@pytest.mark.parametrize("prefixes", [(), ("",), ("tenant=*",)])
def test_firehose_prefixes_must_be_literal(prefixes):
    with pytest.raises(ComponentInputError, match="prefix"):
        firehose_delivery_policy(BUCKET, prefixes, [log_stream_arn(GROUP, "events")])


def flink_access(**changes: Any) -> FlinkAccess:
    values = {
        "stream_arn": STREAM,
        "stream_key_arn": KEY,
        "delivery_stream_arns": (EVENTS, REJECTS),
        "code_object_arn": "arn:aws:s3:::tp-dev-artifacts/flink/job.zip",
        "log_group_arn": GROUP,
        "log_stream_arn": log_stream_arn(GROUP, "application"),
        "region": REGION,
        "account_id": ACCOUNT,
    }
    return FlinkAccess(**{**values, **changes})


def test_flink_reads_the_stream_and_writes_exactly_the_two_delivery_streams():
    statements = by_sid(flink_policy(flink_access()))
    assert statements["ReadEvents"]["Resource"] == [STREAM]
    assert not [action for action in statements["ReadEvents"]["Action"] if not action.startswith("kinesis:")]
    assert "kinesis:PutRecord" not in statements["ReadEvents"]["Action"]
    assert statements["DecryptEvents"] == {
        "Sid": "DecryptEvents",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [KEY],
    }
    assert statements["DeliverRecords"]["Action"] == ["firehose:PutRecord", "firehose:PutRecordBatch"]
    assert statements["DeliverRecords"]["Resource"] == [EVENTS, REJECTS]
    assert statements["ReadCode"]["Resource"] == ["arn:aws:s3:::tp-dev-artifacts/flink/job.zip"]
    assert statements["WriteLogs"]["Resource"] == [f"{GROUP}:log-stream:application"]


def test_flink_code_must_be_an_object_not_a_bucket():
    with pytest.raises(ComponentInputError, match="object ARN"):
        flink_policy(flink_access(code_object_arn="arn:aws:s3:::tp-dev-artifacts"))


def test_flink_needs_its_delivery_streams():
    with pytest.raises(ComponentInputError, match="delivery streams"):
        flink_policy(flink_access(delivery_stream_arns=()))


def test_no_policy_has_a_bare_wildcard_resource():
    documents = [
        api_gateway_put_record_policy(STREAM, KEY),
        authorizer_policy(GROUP, PARAMETER, KEY, REGION, DIRECTORY),
        firehose_delivery_policy(BUCKET, ("tenant=", "errors/"), [log_stream_arn(GROUP, "x")]),
        flink_policy(flink_access()),
    ]
    for document in documents:
        assert document["Version"] == "2012-10-17"
        for resource in all_resources(document):
            assert resource != "*"
            assert resource.startswith("arn:aws:")


def test_trust_policies_name_one_service_with_confused_deputy_guards():
    firehose = assume_role_policy(FIREHOSE, external_id=ACCOUNT)["Statement"][0]
    assert firehose["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert firehose["Condition"] == {"StringEquals": {"sts:ExternalId": ACCOUNT}}
    flink = assume_role_policy(FLINK, source_account=ACCOUNT)["Statement"][0]
    assert flink["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    guarded = assume_role_policy(LAMBDA, source_account=ACCOUNT, source_arn=f"arn:aws:lambda:*:{ACCOUNT}:*")
    assert guarded["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:lambda:*:{ACCOUNT}:*"},
    }
    api = assume_role_policy(API_GATEWAY)["Statement"][0]
    assert api == {"Effect": "Allow", "Principal": {"Service": API_GATEWAY}, "Action": "sts:AssumeRole"}


def test_tls_only_bucket_policy_denies_plain_http_on_bucket_and_objects():
    (statement,) = tls_only_bucket_policy(BUCKET)["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Resource"] == [BUCKET, f"{BUCKET}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
