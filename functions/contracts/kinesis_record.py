"""The Kinesis record the API's mapping template writes and the Flink job reads.

    {"tenantId": "acme", "tier": "premium", "requestId": "...", "receivedAt": 1763800000000, "payload": {...}}

tenantId and tier come from the authorizer's context only; a tenantId inside the payload is data.
The job's enriched record is the envelope, the payload, then `timestamp` (processing time, epoch ms).
"""

from __future__ import annotations

ENVELOPE_FIELDS = ("tenantId", "tier", "requestId", "receivedAt")
PAYLOAD_FIELD = "payload"
RECORD_FIELDS = (*ENVELOPE_FIELDS, PAYLOAD_FIELD)
TIMESTAMP_FIELD = "timestamp"
ENRICHED_FIELDS = (*RECORD_FIELDS, TIMESTAMP_FIELD)  # the analytics table's columns (components/analytics/catalog.py)

# How deep objects and arrays may nest in a record (the record's own braces count as 1). Below any
# parser's recursion limit (the job's JSON functions on the JVM overflow the stack near 2,000, Python's json near
# 1,000), checked on the raw text before any parse; and below what Firehose's JQ-1.6 engine parses
# (128 nested objects, components/ingestion/firehose_partitioning.py), with room for the envelope.
MAX_NESTING_DEPTH = 100
