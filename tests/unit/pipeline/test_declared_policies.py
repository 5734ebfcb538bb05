"""Every IAM document the pipeline declares, checked against the ARNs of the resources it declares.

A resource in an Allow statement must be one of:
- the ARN of a resource this stack declares (stream, key, delivery stream, parameter, log stream, code object);
- objects under a literal prefix of a declared bucket (keys Firehose generates at delivery; the tenant
  directory's slices, one per cell);
- the log streams of a declared log group (streams the service creates at run time);
- one of WILDCARDS_AWS_REQUIRES below, each for a listing/account-wide reason given there.
Anything else (a bare "*", another account, a service-wide wildcard) fails.
"""

from __future__ import annotations

import json
from typing import Any

from components.ingestion.firehose_partitioning import WRITTEN_PREFIXES
from functions.contracts.cells import DIRECTORY_PREFIX
from local.fake_cloud import ACCOUNT_ID
from tests.support.declared import DeclaredPipeline

REGION = "us-east-1"
LOG_GROUPS = f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:"
WILDCARDS_AWS_REQUIRES = {
    # DescribeLogGroups lists the account's groups: its only resource form is the account's log-group:*
    # (AWS's documented policy for Managed Service for Apache Flink).
    f"{LOG_GROUPS}*": {"logs:DescribeLogGroups"},
}
SERVICE_OF_ROLE = {
    "api-kinesis-role": "apigateway.amazonaws.com",
    "authorizer-role": "lambda.amazonaws.com",
    "delivery-role": "firehose.amazonaws.com",
    "processor-role": "kinesisanalytics.amazonaws.com",
}


def declared_arns(pipeline: DeclaredPipeline) -> set[str]:
    arns = {str(r.outputs["arn"]) for r in pipeline.declaration.resources if r.outputs.get("arn")}
    # S3 objects have no ARN attribute: bucket ARN + key.
    for code in pipeline.all("aws:s3/bucketObjectv2:BucketObjectv2"):
        (bucket,) = [b for b in pipeline.all("aws:s3/bucket:Bucket") if b.id == code.inputs["bucket"]]
        arns.add(f"{bucket.outputs['arn']}/{code.inputs['key']}")
    return arns


def unscoped(pipeline: DeclaredPipeline, statement: dict[str, Any]) -> list[str]:
    """The statement's resources that are not scoped as this module's docstring requires."""
    arns = declared_arns(pipeline)
    buckets = {str(b.outputs["arn"]) for b in pipeline.all("aws:s3/bucket:Bucket")}
    groups = {str(g.outputs["arn"]) for g in pipeline.all("aws:cloudwatch/logGroup:LogGroup")}
    actions = set(statement["Action"])
    allowed = {f"{bucket}/{prefix}*" for bucket in buckets for prefix in (*WRITTEN_PREFIXES, DIRECTORY_PREFIX)}
    allowed |= {f"{group}:log-stream:*" for group in groups}
    bad = []
    for resource in statement["Resource"]:
        if resource in arns or resource in allowed:
            continue
        if resource in WILDCARDS_AWS_REQUIRES and actions <= WILDCARDS_AWS_REQUIRES[resource]:
            continue
        bad.append(resource)
    return bad


# The region's API Gateway logging role is an account setting the dev stack opts into managing, not one of
# the pipeline's service roles (test_stack_api covers it).
ACCOUNT_LOGGING_ROLE = "ingestion-api-logging-role"


def service_roles(pipeline: DeclaredPipeline) -> list[Any]:
    return [role for role in pipeline.in_pipeline("aws:iam/role:Role") if role.name != ACCOUNT_LOGGING_ROLE]


def pipeline_documents(pipeline: DeclaredPipeline) -> dict[str, dict[str, Any]]:
    """Every role policy of the pipeline, by the logical name of its role."""
    roles = {role.id: role.name for role in pipeline.in_pipeline("aws:iam/role:Role")}
    return {
        roles[policy.inputs["role"]]: json.loads(policy.inputs["policy"])
        for policy in pipeline.in_pipeline("aws:iam/rolePolicy:RolePolicy")
    }


def test_one_role_per_service_each_with_one_policy(dev):
    roles = service_roles(dev)
    assert sorted(role.name.removeprefix("ingestion-") for role in roles) == sorted(SERVICE_OF_ROLE)
    assert set(pipeline_documents(dev)) == {role.name for role in roles}
    for role in roles:
        (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"Service": SERVICE_OF_ROLE[role.name.removeprefix("ingestion-")]}
        assert trust["Action"] == "sts:AssumeRole"


# The confused-deputy guard each service supports on its role's trust policy (policies.assume_role_policy).
# API Gateway sends neither aws:SourceAccount nor aws:SourceArn when it assumes these roles.
TRUST_CONDITION_OF_ROLE = {
    "api-kinesis-role": None,
    "authorizer-role": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
    "delivery-role": {"StringEquals": {"sts:ExternalId": ACCOUNT_ID}},
    "processor-role": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
}


def test_each_service_role_trusts_only_this_accounts_use_of_the_service(dev):
    for role in service_roles(dev):
        (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust.get("Condition") == TRUST_CONDITION_OF_ROLE[role.name.removeprefix("ingestion-")], role.name


def test_the_application_role_trusts_only_this_accounts_compute(dev):
    (role,) = [r for r in dev.all("aws:iam/role:Role") if r.name.startswith("application-role")]
    ecs, lambda_ = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert ecs["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    assert ecs["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:*"}
    assert lambda_["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}


def test_every_allowed_resource_is_an_exact_arn_of_this_stack(dev):
    documents = pipeline_documents(dev)
    assert documents
    for role, document in documents.items():
        assert document["Version"] == "2012-10-17"
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow"
            assert unscoped(dev, statement) == [], f"{role} {statement['Sid']}"
            for action in statement["Action"]:
                assert "*" not in action, f"{role} {statement['Sid']}: {action}"


def test_the_scope_check_catches_a_broad_resource(dev):
    broad = {"Sid": "X", "Effect": "Allow", "Action": ["kinesis:PutRecord"]}
    stream = dev.arn("aws:kinesis/stream:Stream")
    assert unscoped(dev, {**broad, "Resource": [stream]}) == []
    for resource in ("*", f"arn:aws:kinesis:{REGION}:{ACCOUNT_ID}:stream/*", f"{LOG_GROUPS}*"):
        assert unscoped(dev, {**broad, "Resource": [resource]}) == [resource]


def test_services_reach_exactly_what_they_use(dev):
    documents = pipeline_documents(dev)
    stream, key = dev.arn("aws:kinesis/stream:Stream"), dev.arn("aws:kms/key:Key", "stream-key")
    events = dev.arn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery-events")
    # The dev stack's quota spreads its tenants over two enriched-events streams (Pulumi.dev.yaml).
    events_1 = dev.arn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery-events-1")
    rejects = dev.arn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery-rejects")
    bucket = dev.arn("aws:s3/bucket:Bucket", "ingestion-bucket")

    def resources_of(role: str, action: str) -> set[str]:
        return {r for s in documents[f"ingestion-{role}"]["Statement"] if action in s["Action"] for r in s["Resource"]}

    assert resources_of("api-kinesis-role", "kinesis:PutRecord") == {stream}
    assert resources_of("api-kinesis-role", "kms:GenerateDataKey") == {key}
    assert resources_of("processor-role", "kinesis:GetRecords") == {stream}
    assert resources_of("processor-role", "kms:Decrypt") == {key}
    assert resources_of("processor-role", "firehose:PutRecordBatch") == {events, events_1, rejects}
    assert resources_of("delivery-role", "s3:PutObject") == {f"{bucket}/tenant=*", f"{bucket}/errors/*"}
    assert resources_of("authorizer-role", "ssm:GetParameter") == {dev.arn("aws:ssm/parameter:Parameter")}
    directory = dev.arn("aws:s3/bucket:Bucket", "tenant-directory")
    assert resources_of("authorizer-role", "s3:ListBucket") == {directory}
    assert resources_of("authorizer-role", "s3:GetObject") == {f"{directory}/{DIRECTORY_PREFIX}*"}
    # Nothing in the pipeline deletes tenant data or the stream.
    for document in documents.values():
        for statement in document["Statement"]:
            assert not {"s3:DeleteObject", "s3:DeleteObjectVersion", "kinesis:DeleteStream"} & set(statement["Action"])
