"""`make plan` (python -m local.plan) lists the pipeline's resources."""

from __future__ import annotations

import os
import subprocess
import sys

from local.paths import PROJECT_ROOT

PIPELINE_TYPES = (
    "tenant-pipeline:ingestion:IngestionPipeline",
    "aws:cognito/userPool:UserPool",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/authorizer:Authorizer",
    "aws:apigateway/usagePlan:UsagePlan",
    "aws:lambda/function:Function",
    "aws:kinesis/stream:Stream",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:kinesisanalyticsv2/application:Application",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
)


def test_plan_of_the_dev_stack_lists_the_pipeline_resources():
    result = subprocess.run(
        [sys.executable, "-m", "local.plan", "--stack", "dev"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},  # wide enough that rich does not wrap the type names
    )
    assert result.returncode == 0, result.stderr
    for type_ in PIPELINE_TYPES:
        assert type_ in result.stdout, type_
