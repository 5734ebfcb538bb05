"""Reads the event stream from its start, shard by shard, into a newline-delimited file of Kinesis
records (DESIGN.md's format), the local Flink job's input.

A poller stands in for the Flink Kinesis source here (see README "make demo": why); it reads every
shard from TRIM_HORIZON until a GetRecords call returns nothing new and the shard is caught up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_stream(kinesis: Any, stream_name: str, into: Path) -> int:
    """Write every record of `stream_name` to `into`, one per line; return how many."""
    count = 0
    shards = kinesis.list_shards(StreamName=stream_name)["Shards"]
    with into.open("wb") as out:
        for shard in shards:
            iterator = kinesis.get_shard_iterator(
                StreamName=stream_name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
                for record in page["Records"]:
                    data: bytes = record["Data"]
                    # One record per line: a raw newline inside a record would split it in two.
                    out.write(data.replace(b"\n", b" ") + b"\n")
                    count += 1
                if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                    break
                iterator = page.get("NextShardIterator")
    return count
