"""moto's Kinesis numbers records without a lock: concurrent PutRecords on one shard can overwrite each other.
Every local writer goes through kinesis_write, which serializes them, so no accepted event is lost."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.sandbox.local_cloud import aws_client
from local.services.moto_server import MotoServer, kinesis_write

pytestmark = pytest.mark.moto
WRITERS, RECORDS = 16, 1_200


@pytest.fixture
def kinesis(moto_server: MotoServer) -> Any:
    return aws_client("kinesis", moto_server.endpoint, "us-east-1")


def stream_records(kinesis: Any, stream: str) -> list[bytes]:
    (shard,) = kinesis.list_shards(StreamName=stream)["Shards"]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[bytes] = []
    while True:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        if not page["Records"]:
            return records
        records += [record["Data"] for record in page["Records"]]
        iterator = page["NextShardIterator"]


def test_concurrent_writes_through_the_helper_all_arrive(kinesis: Any) -> None:
    stream = f"writes-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)

    def write(n: int) -> None:
        kinesis_write(kinesis.put_record, StreamName=stream, Data=str(n).encode(), PartitionKey="one-shard")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(write, range(RECORDS)))
    assert sorted(int(data) for data in stream_records(kinesis, stream)) == list(range(RECORDS))
