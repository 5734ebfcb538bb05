"""The demo's wait on the Flink job: progress counts what has reached moto's Firehose buffer bucket."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from components.ingestion.firehose_partitioning import EVENTS_ERROR_PREFIX, EVENTS_PREFIX, METADATA_EXTRACTION_QUERY
from local.errors import FlinkJobError
from local.sandbox.declared import DeliveryStream
from local.sandbox.firehose_buffer import BUFFER_BUCKET, wait_for_records
from local.sandbox.local_cloud import aws_client
from local.services.moto_server import MotoServer

pytestmark = pytest.mark.moto
EVENTS = DeliveryStream("buffer-events", EVENTS_PREFIX, EVENTS_ERROR_PREFIX, METADATA_EXTRACTION_QUERY, True)
REJECTS = DeliveryStream("buffer-rejects", "errors/", "errors/failed/", METADATA_EXTRACTION_QUERY, True)


@pytest.fixture
def s3(moto_server: MotoServer) -> Any:
    client = aws_client("s3", moto_server.endpoint, "us-east-1")
    client.create_bucket(Bucket=BUFFER_BUCKET)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUFFER_BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUFFER_BUCKET, Key=item["Key"])
    return client


def buffer_object(s3: Any, stream: DeliveryStream, name: str, count: int) -> None:
    # Firehose concatenates the job's records in one object, with no delimiter.
    body = "".join(json.dumps({"tenantId": "acme", "n": n}) for n in range(count))
    s3.put_object(Bucket=BUFFER_BUCKET, Key=f"{stream.name}/{name}", Body=body.encode())


def test_progress_counts_what_reached_the_buffer_until_every_record_is_there(s3: Any) -> None:
    # The job writes between looks: 3 enriched, then 1 rejected, then 2 enriched more.
    writes: Iterator[Callable[[], None]] = iter(
        [
            lambda: buffer_object(s3, EVENTS, "a", 3),
            lambda: buffer_object(s3, REJECTS, "a", 1),
            lambda: buffer_object(s3, EVENTS, "b", 2),
        ]
    )

    def job_writes() -> None:  # the demo passes the job's liveness check here: called before each look
        next(writes, lambda: None)()

    heard: list[tuple[int, int]] = []
    enriched, rejected = wait_for_records(
        s3,
        [EVENTS],
        REJECTS,
        6,
        alive=job_writes,
        progress=lambda written, expected: heard.append((written, expected)),
        poll_seconds=0,
    )
    assert heard == [(3, 6), (4, 6), (6, 6)]
    assert (len(enriched[EVENTS.name]), len(rejected)) == (5, 1)


def test_a_job_that_stops_short_times_out_naming_the_count(s3: Any) -> None:
    buffer_object(s3, EVENTS, "a", 2)
    with pytest.raises(FlinkJobError, match="the Flink job wrote 2 of 5 records"):
        wait_for_records(s3, [EVENTS], REJECTS, 5, alive=lambda: None, timeout=0, poll_seconds=0)
