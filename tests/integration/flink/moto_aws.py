"""AWS calls for the moto integration test, run with .venv's Python (boto3 lives there, not in .venv-flink).

python tests/integration/flink/moto_aws.py setup ENDPOINT RECORDS_FILE  -> prints the stream ARN
python tests/integration/flink/moto_aws.py read ENDPOINT                -> prints {"enriched": [...], "rejected": [...]}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BUCKET = "flink-it-ingest"
STREAM = "flink-it-events"
DELIVERY_STREAMS = {"enriched": "flink-it-enriched", "rejected": "flink-it-rejected"}
REGION = "us-east-1"


def _client(service: str, endpoint: str) -> Any:
    import boto3  # here: the test module imports this file's names from .venv-flink, which lacks boto3

    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def setup(endpoint: str, records_file: Path) -> str:
    s3, kinesis, firehose = (_client(name, endpoint) for name in ("s3", "kinesis", "firehose"))
    s3.create_bucket(Bucket=BUCKET)
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    for prefix, name in DELIVERY_STREAMS.items():
        firehose.create_delivery_stream(
            DeliveryStreamName=name,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
                "Prefix": f"{prefix}/",
            },
        )
    lines = records_file.read_text(encoding="utf-8").split("\n")[:-1]
    for index, line in enumerate(lines):
        kinesis.put_record(StreamName=STREAM, Data=line.encode("utf-8"), PartitionKey=f"key-{index}")
    return str(kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"])


def _documents(body: str) -> list[Any]:
    """Firehose concatenates records in an object (no delimiter): split the JSON documents apart."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while position < len(body):
        document, position = decoder.raw_decode(body, position)
        documents.append(document)
    return documents


def read(endpoint: str) -> dict[str, list[Any]]:
    s3 = _client("s3", endpoint)
    found: dict[str, list[Any]] = {prefix: [] for prefix in DELIVERY_STREAMS}
    for prefix in DELIVERY_STREAMS:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{prefix}/"):
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode("utf-8")
                found[prefix].extend(_documents(body))
    return found


if __name__ == "__main__":
    command, moto_endpoint = sys.argv[1], sys.argv[2]
    if command == "setup":
        print(setup(moto_endpoint, Path(sys.argv[3])))
    elif command == "read":
        print(json.dumps(read(moto_endpoint)))
    else:
        raise SystemExit(f"unknown command {command!r}")
