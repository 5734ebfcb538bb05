"""Firehose's intake in the sandbox: the declared delivery streams exist in moto (the Flink job's sinks
write to them by name), delivering into a buffer bucket; the sandbox's delivery step then applies the
declared dynamic partitioning from there into the ingest bucket (moto's Firehose has none).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from local.errors import FlinkJobError
from local.fake_cloud import ACCOUNT_ID
from local.sandbox.declared import DeclaredStack, DeliveryStream
from local.sandbox.local_cloud import LocalCloud

BUFFER_BUCKET = "sandbox-firehose-buffer"


def create_delivery_streams(cloud: LocalCloud, stack: DeclaredStack) -> None:
    cloud.client("s3").create_bucket(Bucket=BUFFER_BUCKET)
    for stream in (*stack.event_streams, stack.rejects):
        cloud.client("firehose").create_delivery_stream(
            DeliveryStreamName=stream.name,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/{stream.name}-sandbox",
                "BucketARN": f"arn:aws:s3:::{BUFFER_BUCKET}",
                "Prefix": f"{stream.name}/",
            },
        )


def split_records(body: bytes) -> list[bytes]:
    """The Flink sink's records, which Firehose concatenates in an object with no delimiter."""
    text, decoder, records, position = body.decode("utf-8"), json.JSONDecoder(), [], 0
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        _, end = decoder.raw_decode(text, position)
        records.append(text[position:end].encode("utf-8"))
        position = end
    return records


def buffered(s3: Any, stream: DeliveryStream) -> list[bytes]:
    records: list[bytes] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUFFER_BUCKET, Prefix=f"{stream.name}/"):
        for item in sorted(page.get("Contents", []), key=lambda item: item["Key"]):
            records.extend(split_records(s3.get_object(Bucket=BUFFER_BUCKET, Key=item["Key"])["Body"].read()))
    return records


# Called with (records the job has written, records expected) at every look at the buffer.
Progress = Callable[[int, int], None]


def wait_for_records(
    s3: Any,
    events: Sequence[DeliveryStream],
    rejects: DeliveryStream,
    expected: int,
    alive: Callable[[], None],
    *,
    progress: Progress | None = None,
    timeout: float = 600,
    poll_seconds: float = 2,
) -> tuple[dict[str, list[bytes]], list[bytes]]:
    """(enriched by events stream name, rejected) once the job has written `expected` records to the
    delivery streams' buffer; `progress` hears how many it has written so far. Raises FlinkJobError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        alive()
        enriched = {stream.name: buffered(s3, stream) for stream in events}
        rejected = buffered(s3, rejects)
        written = sum(len(records) for records in enriched.values()) + len(rejected)
        if progress is not None:
            progress(written, expected)
        if written >= expected:
            return enriched, rejected
        if time.monotonic() > deadline:
            raise FlinkJobError(f"the Flink job wrote {written} of {expected} records in {timeout:.0f}s")
        time.sleep(poll_seconds)
