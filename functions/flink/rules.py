"""What makes a Kinesis record acceptable, as data both job paths (SQL and Python UDF) share.

The job ships alone in its zip (no repo modules), so the tenant id rule is mirrored from
naming.TENANT_ID_PATTERN; tests/flink checks the two stay equal.
"""

from __future__ import annotations

TENANT_ID_REGEX = r"^[a-z][a-z0-9-]{0,31}$"

# Kinesis accepts a data blob of at most 1 MiB, so nothing larger is a real record. Records are
# measured in UTF-8 bytes.
MAX_RECORD_BYTES = 1024 * 1024
# Firehose accepts records of at most 1,000 KiB; the Firehose sink fails the job on a larger one, so
# an enriched record that would not fit is rejected instead.
FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024
# A rejected record carries the raw record. JSON escaping can grow a character to 6 bytes (\u0000),
# so a raw record of at most 100,000 characters always fits Firehose's limit; a longer one is cut to
# its first 100,000 characters (and the reason says so).
MAX_REJECTED_RECORD_CHARS = 100_000

# How deep objects and arrays may nest in a record (the record's own braces count as 1). Below any
# parser's recursion limit (the JVM's JSON functions overflow the stack near 2,000, Python's json near
# 1,000), checked on the raw text before any parse; and below what Firehose's JQ-1.6 engine parses
# (128 nested objects, components/ingestion/firehose_partitioning.py), with room for the envelope.
MAX_NESTING_DEPTH = 100

# Reasons, as the rejected output states them.
NOT_JSON_OBJECT = "record is not a JSON object"
TOO_DEEP = f"record nests objects or arrays more than {MAX_NESTING_DEPTH} deep"
MISSING_TENANT_ID = "record has no tenantId"
INVALID_TENANT_ID = f"tenantId is not a string matching {TENANT_ID_REGEX}"
MISSING_PAYLOAD = "record has no payload"
PAYLOAD_NOT_OBJECT = "payload is not a JSON object"
RECORD_TOO_LARGE = f"record is larger than {MAX_RECORD_BYTES} bytes (the Kinesis limit)"
ENRICHED_TOO_LARGE = f"enriched record is larger than {FIREHOSE_MAX_RECORD_BYTES} bytes (the Firehose limit)"
TRUNCATED_NOTE = f" (record cut to its first {MAX_REJECTED_RECORD_CHARS} characters)"

# The envelope fields copied to the enriched record, in output order (payload and timestamp follow).
ENVELOPE_FIELDS = ("tenantId", "tier", "requestId", "receivedAt")
# The record's top-level keys the job reads: each may appear once (JSON parsers disagree on which of
# two equal keys wins, so a repeated one could decide the landing place).
COPIED_FIELDS = (*ENVELOPE_FIELDS, "payload")
DUPLICATE_FIELD = f"record repeats a top-level field of {', '.join(COPIED_FIELDS)}"
