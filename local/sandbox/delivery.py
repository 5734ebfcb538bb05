"""The delivery streams' part of the sandbox: Firehose's dynamic partitioning and prefixes, applied to
the Flink job's output as the declared delivery streams would, landing objects in the ingest bucket.

The declared JQ metadata query (run with the `jq` library) gives each enriched record its partition
keys; the declared prefix expressions give its S3 prefix; records with equal prefixes share an object.
A record the query cannot partition goes under the declared error prefix, as Firehose does; that
includes a record nested deeper than the declared engine, JQ-1.6, parses (local/sandbox/jq16.py).
The declared compression applies too: GZIP objects are compressed and their keys end in `.gz`, as
Firehose names them; `object_lines` reads either kind back.
"""

from __future__ import annotations

import gzip
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jq

from local.sandbox.declared import DeliveryStream
from local.sandbox.firehose_prefix import render_prefix
from local.sandbox.jq16 import exceeds_parsing_depth

PARTITIONING_FAILED = "partitioning-failed"  # Firehose's error output type for dynamic partitioning
# Firehose's file extension per compression_format (docs: "Amazon S3 object name format").
EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz"}


@dataclass
class Delivered:
    objects: dict[str, int] = field(default_factory=dict)  # S3 key -> records in it
    failed: int = 0  # records that went to the error prefix

    @property
    def records(self) -> int:
        return sum(self.objects.values())


def partition_keys(query: Any, record: bytes) -> dict[str, str]:
    """The metadata query's result for one record; Firehose needs every value to be a string."""
    text = record.decode()
    if exceeds_parsing_depth(text):
        raise ValueError("jq 1.6 cannot parse the record: Exceeds depth limit for parsing")
    keys = query.input_text(text).first()
    if not isinstance(keys, dict) or not all(isinstance(v, str) and v for v in keys.values()):
        raise ValueError(f"the metadata query gave {keys!r}")
    return keys


def object_key(prefix: str, stream: DeliveryStream, arrival: datetime) -> str:
    # Firehose's object names: <prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><file extension>
    if stream.compression not in EXTENSIONS:
        raise ValueError(f"{stream.name}: the sandbox does not apply compression {stream.compression}")
    return f"{prefix}{stream.name}-1-{arrival:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{EXTENSIONS[stream.compression]}"


def object_lines(key: str, body: bytes) -> list[bytes]:
    """A delivered object's records (one per line), decompressed by its key's extension as Athena does."""
    text = gzip.decompress(body) if key.endswith(EXTENSIONS["GZIP"]) else body
    return [line for line in text.splitlines() if line.strip()]


def deliver(stream: DeliveryStream, records: list[bytes], s3: Any, bucket: str) -> Delivered:
    """Land `records` in `bucket` as `stream` declares; return what was written where."""
    arrival = datetime.now(UTC)
    query = jq.compile(stream.metadata_query) if stream.metadata_query else None
    batches: dict[str, list[bytes]] = defaultdict(list)
    failed = 0
    for record in records:
        try:
            keys = partition_keys(query, record) if query else {}
            prefix = render_prefix(stream.prefix, keys, arrival)
        except ValueError:
            prefix = render_prefix(stream.error_prefix, {}, arrival, error_output_type=PARTITIONING_FAILED)
            failed += 1
        batches[prefix].append(record)
    delivered = Delivered(failed=failed)
    delimiter = b"\n" if stream.append_newline else b""
    for prefix, batch in batches.items():
        key = object_key(prefix, stream, arrival)
        body = b"".join(r + delimiter for r in batch)
        if stream.compression == "GZIP":
            body = gzip.compress(body)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        delivered.objects[key] = len(batch)
    return delivered
