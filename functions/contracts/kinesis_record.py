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
ENRICHED_FIELDS = (*RECORD_FIELDS, TIMESTAMP_FIELD)
