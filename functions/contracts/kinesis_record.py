"""The Kinesis record the API's mapping template writes and the Flink job reads.

    {"tenantId": "acme", "tier": "premium", "requestId": "...", "receivedAt": 1763800000000, "payload": {...}}

tenantId and tier come from the authorizer's context only; a tenantId inside the payload is data.
The job's enriched record is the envelope, the payload, then `timestamp` (processing time, epoch ms).
"""

from __future__ import annotations

TENANT_FIELD = "tenantId"
TIER_FIELD = "tier"
# API Gateway's request time (epoch milliseconds): the record's event time (the job's metering windows). Read as an
# event time only when it is an integer from 1 to the last millisecond of year 9999 (the latest time Flink's
# TIMESTAMP_LTZ(3) holds): any other value, which only a producer other than the API could write, is none.
RECEIVED_AT_FIELD = "receivedAt"
MAX_RECEIVED_AT_MS = 253_402_300_799_999
ENVELOPE_FIELDS = (TENANT_FIELD, TIER_FIELD, "requestId", RECEIVED_AT_FIELD)
PAYLOAD_FIELD = "payload"
RECORD_FIELDS = (*ENVELOPE_FIELDS, PAYLOAD_FIELD)
TIMESTAMP_FIELD = "timestamp"
ENRICHED_FIELDS = (*RECORD_FIELDS, TIMESTAMP_FIELD)  # the analytics table's columns (components/analytics/catalog.py)

# How deep objects and arrays may nest in a record (the record's own braces count as 1). Below any
# parser's recursion limit (the job's JSON functions on the JVM overflow the stack near 2,000, Python's json near
# 1,000), checked on the raw text before any parse; and below what Firehose's JQ-1.6 engine parses
# (128 nested objects, components/ingestion/firehose_partitioning.py), with room for the envelope.
MAX_NESTING_DEPTH = 100
