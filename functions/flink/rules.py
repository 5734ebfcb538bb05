"""What makes a Kinesis record acceptable, as data both job paths (SQL and Python UDF) share.

The tenant id rule and the record's fields are the shared contracts (the job's zip carries them).
"""

from __future__ import annotations

from functions.contracts.kinesis_record import ENVELOPE_FIELDS, MAX_NESTING_DEPTH, RECORD_FIELDS
from functions.contracts.tenant_id import TENANT_ID_REGEX

__all__ = ["ENVELOPE_FIELDS", "MAX_NESTING_DEPTH", "TENANT_ID_REGEX"]

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


# A rejected record: {"reason": ..., "record": <the raw record>, "timestamp": <epoch ms>, "tenantId", "receivedAt"},
# the last two the envelope values a reject is attributed by (functions/flink/attribution.py; null when none).
REJECT_FIELDS = ("reason", "record", "timestamp", "tenantId", "receivedAt")

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

# The record's top-level keys the job reads: each may appear once (JSON parsers disagree on which of
# two equal keys wins, so a repeated one could decide the landing place).
COPIED_FIELDS = RECORD_FIELDS
DUPLICATE_FIELD = f"record repeats a top-level field of {', '.join(COPIED_FIELDS)}"
