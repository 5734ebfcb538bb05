"""Where the delivery streams put records in the ingest bucket (docs/design.md, "The ingest bucket").

`events`: Firehose dynamic partitioning. A MetadataExtraction processor runs the jq 1.6 query below on
each enriched record, taking `tenantId` and the UTC date of `timestamp` (epoch milliseconds, set by
the Flink job), and the prefix puts the record under `tenant=<id>/year=YYYY/month=MM/day=DD/`.
`rejects`: the Flink job's rejected records, under `errors/flink/` by arrival date.
Firehose's own failures (a record it cannot partition or deliver) go under `errors/firehose/`.
"""

from __future__ import annotations

from functions.contracts.s3_layout import (
    DATE_PARTITIONS,
    ERRORS_PREFIX,
    FIREHOSE_ERRORS_PREFIX,
    FLINK_REJECTS_PREFIX,
    TENANT_DATA_PREFIX,
    TENANT_PARTITION,
    events_prefix,
)

__all__ = ["ERRORS_PREFIX", "FIREHOSE_ERRORS_PREFIX", "FLINK_REJECTS_PREFIX", "TENANT_DATA_PREFIX"]

JSON_PARSING_ENGINE = "JQ-1.6"
# jq 1.6's parser (src/jv_parse.c at tag jq-1.6) refuses to open an array or object once its stack
# holds MAX_PARSING_DEPTH (256) entries: one per open array, two per open object whose value is being
# read (the object and its key). So 128 nested objects parse and 129 do not (256 arrays, 257 not).
# The Flink job refuses records nested deeper than functions.contracts.kinesis_record.MAX_NESTING_DEPTH, below this.
JQ16_MAX_PARSING_DEPTH = 256
JQ16_MAX_NESTED_OBJECTS = JQ16_MAX_PARSING_DEPTH // 2


def _utc_date_part(strftime_format: str) -> str:
    # jq's strftime takes epoch seconds; floor keeps jq 1.6 on whole seconds.
    return f'(.timestamp / 1000 | floor | strftime("{strftime_format}"))'


METADATA_EXTRACTION_QUERY = (
    f"{{tenantId: .tenantId, year: {_utc_date_part('%Y')}, month: {_utc_date_part('%m')}, day: {_utc_date_part('%d')}}}"
)
# Firehose processor parameter values are at most 512 characters.
MAX_PARAMETER_LENGTH = 512


# The layout's partitions (functions/contracts/s3_layout.py), each from the metadata query's key of that name.
_QUERY_KEY = {TENANT_PARTITION: "tenantId", **{part: part for part in DATE_PARTITIONS}}
# The metadata query's keys, in the order the query builds them.
PARTITION_KEYS = tuple(_QUERY_KEY.values())
EVENTS_PREFIX = events_prefix({name: f"!{{partitionKeyFromQuery:{key}}}" for name, key in _QUERY_KEY.items()})
_ARRIVAL_DATE = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
# An error prefix with expressions must name the error type.
EVENTS_ERROR_PREFIX = f"{FIREHOSE_ERRORS_PREFIX}events/!{{firehose:error-output-type}}/{_ARRIVAL_DATE}"
REJECTS_PREFIX = f"{FLINK_REJECTS_PREFIX}{_ARRIVAL_DATE}"
REJECTS_ERROR_PREFIX = f"{FIREHOSE_ERRORS_PREFIX}rejects/!{{firehose:error-output-type}}/{_ARRIVAL_DATE}"

# Where Firehose writes at all: the two top-level folders of the bucket (its IAM policy is scoped to them).
WRITTEN_PREFIXES = (TENANT_DATA_PREFIX, ERRORS_PREFIX)
